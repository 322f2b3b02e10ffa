import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grad, type AnyTensor } from "@gradfold/graph";
import { defaultConfig, type TrainConfig } from "../src/config.ts";
import { silentProgress } from "../src/report/progress.ts";
import { Rng } from "../src/rng.ts";
import type { UpdateRule } from "../src/train/program.ts";
import type { RunDeps } from "../src/train/run.ts";
import { chooseBackend } from "../src/train/backends.ts";

/** The records of a JSON-lines file (metrics.jsonl, steps.jsonl, config-history.jsonl). */
export const jsonLines = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

export function tempDir(prefix = "gradfold-trainer-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Plain SGD written out here, so the loop tests do not depend on @gradfold/optimizers. */
export function plainSgd(lr: number): UpdateRule {
  return {
    updates(loss: AnyTensor, params: readonly AnyTensor[]) {
      const grads = grad(loss, params);
      return params.map((p, i) => [p, p.sub(grads[i].mul(lr))] as const);
    },
  };
}

/** A small 3-class problem: class = which of three Gaussian blobs a 4-feature point came from. */
export function writeBlobsCsv(dir: string, rows = 90, seed = 3): string {
  const rng = new Rng(seed);
  const lines = ["a,b,c,d,label"];
  for (let i = 0; i < rows; i++) {
    const label = i % 3;
    const center = [label, -label, label * 0.5, 1 - label];
    lines.push([...center.map((c) => (c + 0.4 * rng.normal()).toFixed(4)), `k${label}`].join(","));
  }
  const path = join(dir, "blobs.csv");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

export function tinyConfig(csvPath: string, overrides: Partial<TrainConfig> = {}): TrainConfig {
  return {
    ...defaultConfig,
    data: { source: "csv", path: csvPath, target: "label", task: "auto" },
    validationSize: 15,
    testSize: 15,
    layers: [6],
    batchSize: 10,
    evalBatchSize: 8,
    epochs: 3,
    checkpointEvery: 2,
    backend: "reference",
    optimizer: "sgd", // testDeps() swaps in plainSgd
    lr: 0.1,
    ...overrides,
  };
}

export function testDeps(overrides: Partial<RunDeps> = {}): RunDeps {
  return {
    backend: chooseBackend("reference"),
    makeOptimizer: (config) => plainSgd(config.lr),
    progress: silentProgress(),
    stopRequested: () => false,
    ...overrides,
  };
}

/** CLI arguments for a tiny, fast CSV run (8 hidden units, SGD, the reference backend, plain progress lines). */
export const tinyCsvArgs = (csv: string): string[] => [
  "--data",
  csv,
  "--target",
  "label",
  "--layers",
  "8",
  "--batch-size",
  "16",
  "--optimizer",
  "sgd",
  "--lr",
  "0.1",
  "--backend",
  "reference",
  "--progress",
  "lines",
];
