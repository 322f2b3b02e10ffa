import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCheckpoint } from "../src/train/checkpoint.ts";
import { chooseBackend } from "../src/train/backends.ts";
import { compileModel, evaluate } from "@gradfold/train";
import { columnsOf } from "../src/train/loop.ts";
import { buildRun, runTraining, type CheckpointMeta, type RunDeps } from "../src/train/run.ts";
import { RunFolder } from "../src/train/run-folder.ts";
import { tempDir, testDeps, tinyConfig, writeBlobsCsv } from "./helpers.ts";

const withoutTimes = <M extends object>(m: M) => ({ ...m, seconds: 0, examplesPerSecond: 0 });

function bits(tensors: ReadonlyMap<string, Float32Array>): Record<string, number[]> {
  return Object.fromEntries([...tensors].map(([k, v]) => [k, [...new Uint32Array(v.buffer, v.byteOffset, v.length)]]));
}

const backends = { reference: chooseBackend("reference"), compiled: chooseBackend("compiled") };

describe("resume", () => {
  it.each(Object.keys(backends) as (keyof typeof backends)[])(
    "an interrupted and resumed run ends bit-identical to an uninterrupted one (dropout included; %s step)",
    async (backend) => {
      const dir = tempDir();
      const config = tinyConfig(writeBlobsCsv(dir), { dropout: 0.2, epochs: 3 });
      const deps = (overrides: Partial<RunDeps> = {}) => testDeps({ backend: backends[backend], ...overrides });
      const straight = new RunFolder(join(dir, "straight"));
      await runTraining(config, straight, false, deps());

      // Stop in the middle of epoch 2, between checkpoints, as Ctrl-C would.
      const stopped = new RunFolder(join(dir, "stopped"));
      let polls = 0;
      const first = await runTraining(config, stopped, false, deps({ stopRequested: () => ++polls > 9 }));
      expect(first.status).toBe("interrupted");
      expect(first.testAccuracy).toBeNull();
      const mid = loadCheckpoint<CheckpointMeta>(stopped.checkpointPath).meta.state;
      expect([mid.epoch, mid.batch, mid.step]).toEqual([1, 4, 10]);

      const resumed = await runTraining(config, stopped, true, deps());
      expect(resumed.status).toBe("completed");
      const a = loadCheckpoint<CheckpointMeta>(straight.checkpointPath);
      const b = loadCheckpoint<CheckpointMeta>(stopped.checkpointPath);
      expect(bits(b.tensors)).toEqual(bits(a.tensors));
      expect(b.meta.state.history.map(withoutTimes)).toEqual(a.meta.state.history.map(withoutTimes));
      const report = (f: RunFolder) => JSON.parse(readFileSync(join(f.dir, "report.json"), "utf8"));
      expect(report(stopped).testLoss).toBe(report(straight).testLoss);
      expect(report(stopped).confusionMatrix).toEqual(report(straight).confusionMatrix);
      const lines = readFileSync(stopped.metricsPath, "utf8").trim().split("\n");
      expect(lines).toHaveLength(3);
      const steps = readFileSync(stopped.stepsPath, "utf8");
      expect(steps).toBe(readFileSync(straight.stepsPath, "utf8"));
      expect(steps.trim().split("\n")).toHaveLength(18);
    },
  );

  it("refuses to resume from a checkpoint of another model", async () => {
    const dir = tempDir();
    const csv = writeBlobsCsv(dir);
    const folder = new RunFolder(join(dir, "run"));
    await runTraining(tinyConfig(csv, { epochs: 1 }), folder, false, testDeps());
    await expect(runTraining(tinyConfig(csv, { layers: [5] }), folder, true, testDeps())).rejects.toThrow(/dense1\/W.*does not fit this model/);
  });
});

describe("divergence", () => {
  it("stops at the first non-finite loss, names it and the last gradient norms, and keeps the last good checkpoint", async () => {
    const dir = tempDir();
    const config = tinyConfig(writeBlobsCsv(dir), { lr: 1e6, epochs: 5, checkpointEvery: 1 });
    const folder = new RunFolder(join(dir, "run"));
    const logs: string[] = [];
    const report = await runTraining(config, folder, false, testDeps({ progress: { ...testDeps().progress, log: (l) => logs.push(l) } }));
    expect(report.status).toBe("diverged");
    const d = report.divergence!;
    expect(d.tensors.length).toBeGreaterThan(0);
    // The loss is named first when it is the non-finite one; otherwise a gradient is.
    if (Number.isFinite(d.loss)) expect(d.tensors.every((t) => t in d.lastGoodGradNorms!)).toBe(true);
    else expect(d.tensors[0]).toBe("loss");
    expect(d.lastGoodGradNorms).not.toBeNull();
    expect(Object.keys(d.lastGoodGradNorms!)).toEqual(["dense1/W", "dense1/b", "dense2/W", "dense2/b"]);
    expect(logs.join("\n")).toMatch(new RegExp(`diverged at step ${d.step} .*non-finite`));
    expect(logs.join("\n")).toContain(`continue from it with a smaller rate or clipping: --resume ${folder.dir} --lr 100000 --clip-norm 1`);
    // The checkpoint on disk is the one before the bad step, and its params are finite.
    const ckpt = loadCheckpoint<CheckpointMeta>(folder.checkpointPath);
    expect(ckpt.meta.state.step).toBe(d.step - 1);
    for (const data of ckpt.tensors.values()) expect(data.every(Number.isFinite)).toBe(true);
  });
});

describe("early stopping", () => {
  it("stops after `patience` epochs without a better validation loss and tests the best epoch's params", async () => {
    const dir = tempDir();
    // Few examples, a wide layer and a large rate: the validation loss soon stops improving.
    const config = tinyConfig(writeBlobsCsv(dir, 60), { layers: [32], lr: 0.5, epochs: 60, patience: 2 });
    const folder = new RunFolder(join(dir, "run"));
    const report = await runTraining(config, folder, false, testDeps());
    expect(report.status).toBe("early-stopped");
    expect(report.epochs).toBeLessThan(60);
    expect(report.bestEpoch).toBe(report.epochs - 2);
    const history = loadCheckpoint<CheckpointMeta>(folder.checkpointPath).meta.state.history;
    const best = Math.min(...history.map((m) => m.valLoss));
    expect(history[report.bestEpoch! - 1].valLoss).toBe(best);
    // The test loss is that of the best epoch's params (best.bin), not the last ones.
    const { data, spec } = buildRun(config, { makeOptimizer: testDeps().makeOptimizer });
    const model = compileModel(spec, { compiler: chooseBackend("reference").compiler });
    for (const [name, values] of loadCheckpoint(folder.bestPath).tensors) model.write(name, values);
    expect(report.testLoss).toBe(evaluate(model, columnsOf(data.test), { batchSize: config.evalBatchSize }).loss);
  });
});
