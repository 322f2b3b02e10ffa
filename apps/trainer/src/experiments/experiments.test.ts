import { existsSync, readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseBackend } from "../train/backends.ts";
import type { ExperimentOptions } from "./common.ts";
import { gradientsExperiment } from "./gradients.ts";
import { initExperiment } from "./init.ts";
import { optimizersExperiment, windowMeans } from "./optimizers.ts";

const options = (steps: number): ExperimentOptions => ({
  out: mkdtempSync(join(tmpdir(), "experiment-")),
  seed: 1,
  steps,
  limitTrain: 256,
  batchSize: 32,
  backend: chooseBackend("compiled"),
  log: () => {},
});

describe("experiments (tiny versions)", () => {
  it("gradients: a deep sigmoid net's first layer gets a far smaller gradient than its last; the residual net's does not", async () => {
    const o = options(3);
    const r = await gradientsExperiment(o, 8, 16);
    const ratio = (label: string) => {
      const g = r[label].points[0].weightGradNorms;
      return g[0] / g[g.length - 1];
    };
    expect(ratio("sigmoid MLP (8 layers)")).toBeLessThan(1e-3);
    expect(ratio("relu residual (8 blocks)")).toBeGreaterThan(0.1);
    for (const f of ["gradients-at-init.svg", "gradients-after-training.svg", "gradients-first-layer.svg", "gradients-loss.svg", "summary.md"])
      expect(existsSync(join(o.out, f))).toBe(true);
    expect(readFileSync(join(o.out, "summary.md"), "utf8")).toMatch(/\| sigmoid MLP \(8 layers\) \| \d/);
  });

  it("optimizers: every optimizer trains from the same start, so all first losses are equal; all reduce the loss", async () => {
    const o = options(12);
    const r = await optimizersExperiment(o, [16]);
    const curves = Object.values(r);
    expect(curves).toHaveLength(7);
    for (const c of curves) {
      expect(c.points[0].loss).toBe(curves[0].points[0].loss);
      expect(c.points[c.points.length - 1].loss).toBeLessThan(c.points[0].loss);
    }
    expect(readFileSync(join(o.out, "optimizers-loss.svg"), "utf8")).toMatch(/^<svg/);
  });

  it("init: larger initial weights give larger gradients at layer 1 for ReLU", async () => {
    const o = options(2);
    const r = await initExperiment(o, 4, 16);
    const first = (label: string) => r[label].points[0].weightGradNorms[0];
    expect(first("relu std 0.01")).toBeLessThan(first("relu he"));
    expect(first("relu he")).toBeLessThan(first("relu std 1"));
    expect(existsSync(join(o.out, "init-gradients-tanh.svg"))).toBe(true);
  });

  it("gradients and init take the CNN: a norm per conv filter and dense layer, ReLU's conv1 gradient far above sigmoid's", async () => {
    const o = { ...options(2), model: "cnn" as const, cnn: { channels: [3, 6], kernel: 3, dense: 8 } };
    const g = await gradientsExperiment(o);
    expect(Object.keys(g)).toEqual(["sigmoid CNN", "tanh CNN", "relu CNN"]);
    expect(g["relu CNN"].layerNames).toEqual(["conv1/W", "conv2/W", "dense1/W", "dense2/W"]);
    for (const r of Object.values(g)) for (const v of r.points[0].weightGradNorms) expect(v).toBeGreaterThan(0);
    expect(g["sigmoid CNN"].points[0].weightGradNorms[0]).toBeLessThan(0.1 * g["relu CNN"].points[0].weightGradNorms[0]);
    expect(readFileSync(join(o.out, "summary.md"), "utf8")).toContain("The CNN conv 3-6 (3×3, each with a 2×2 max pool), dense 8");
    const i = await initExperiment({ ...o, out: mkdtempSync(join(tmpdir(), "experiment-")) });
    expect(i["relu std 0.01"].points[0].weightGradNorms[0]).toBeLessThan(i["relu he"].points[0].weightGradNorms[0]);
    expect(i["relu he"].layerNames).toEqual(["conv1/W", "conv2/W", "dense1/W", "dense2/W"]);
  });

  it("windowMeans averages consecutive losses", () => {
    expect(
      windowMeans(
        [1, 2, 3, 4, 5].map((loss, step) => ({ step, loss })),
        2,
      ),
    ).toEqual([
      { x: 2, y: 1.5 },
      { x: 4, y: 3.5 },
      { x: 5, y: 5 },
    ]);
  });
});
