import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { defaultConfig, type TrainConfig } from "../config.ts";
import { fillBatch, type DataSplits } from "../data/dataset.ts";
import { loadMnist } from "../data/mnist.ts";
import { Rng } from "../rng.ts";
import { accuracy } from "@gradfold/nn";
import { compileModel, evaluate } from "@gradfold/train";
import type { Backend } from "../train/backends.ts";
import { resolveLoss } from "../train/run.ts";
import { makeOptimizer } from "../train/optimizer-choice.ts";
import { layerNames } from "../train/network.ts";
import { gradNormPrefix, modelSpec, type UpdateRule } from "../train/program.ts";
import { writeFileDurable } from "../io/durable-write.ts";

/** What every experiment takes from the command line. */
export interface ExperimentOptions {
  readonly out: string;
  readonly seed: number;
  /** Training steps per configuration. */
  readonly steps: number;
  /** MNIST training examples to draw batches from. */
  readonly limitTrain: number;
  readonly batchSize: number;
  readonly backend: Backend;
  readonly log: (line: string) => void;
  /** The networks compared: deep MLPs (the default) or the CNN of `cnn` with different units and inits. */
  readonly model?: "mlp" | "cnn";
  /** The CNN's shape when `model` is "cnn"; default the trainer's. */
  readonly cnn?: Partial<Pick<TrainConfig, "channels" | "kernel" | "dense">>;
}

/** The CNN an experiment compares, as config overrides. */
export const cnnOverrides = (o: ExperimentOptions): Partial<TrainConfig> => ({ model: "cnn", ...o.cnn });

/** "conv 32-64 (5×5), dense 128": the CNN of an experiment, for its summary. */
export function cnnLabel(o: ExperimentOptions): string {
  const c = { ...defaultConfig, ...o.cnn };
  return `conv ${c.channels.join("-")} (${c.kernel}×${c.kernel}, each with a 2×2 max pool), dense ${c.dense}`;
}

export interface CurvePoint {
  readonly step: number;
  readonly loss: number;
  /** Gradient norm of each layer's weight matrix (or conv filter), in layer order. */
  readonly weightGradNorms: readonly number[];
}

export interface CurveResult {
  readonly points: CurvePoint[];
  readonly layerNames: readonly string[];
  readonly seconds: number;
  /** Median wall time of one step, in milliseconds (robust to the first steps' warm-up and to load spikes). */
  readonly medianStepMs: number;
  readonly validationAccuracy: number | null;
  /** The step at which the loss or a gradient became non-finite, if it did. */
  readonly divergedAt: number | null;
}

export function experimentData(o: ExperimentOptions): DataSplits {
  return loadMnist({ validationSize: 1000, limitTrain: o.limitTrain + 1000, limitTest: 1 }, new Rng(o.seed).fork());
}

export function experimentConfig(overrides: Partial<TrainConfig>, o: ExperimentOptions): TrainConfig {
  return { ...defaultConfig, seed: o.seed, batchSize: o.batchSize, evalBatchSize: 500, epochs: 1, schedule: "constant", ...overrides };
}

/**
 * Trains one configuration for `steps` steps on shuffled batches (the same order for
 * every configuration with the same seed) and records the loss and each layer's
 * weight-gradient norm at the steps `recordAt` says.
 */
export function trainCurve(config: TrainConfig, data: DataSplits, o: ExperimentOptions, recordAt: (step: number) => boolean = () => true, optimizer?: UpdateRule): CurveResult {
  const spec = modelSpec(
    { ...config, loss: resolveLoss(config, data.info.task) },
    { features: data.train.features, outputs: data.info.outputs, task: data.info.task },
    optimizer ?? makeOptimizer(config, Math.floor(data.train.count / config.batchSize)),
  );
  // Experiments run single-threaded: their step times are compared with each other.
  const model = compileModel(spec, { compiler: o.backend.compiler });
  const weightNames = layerNames(config).map((n) => `${n}/W`);
  const x = new Float32Array(config.batchSize * data.train.features);
  const y = new Int32Array(config.batchSize);
  const shuffle = new Rng(config.seed + 1);
  let order = shuffle.permutation(data.train.count);
  let cursor = 0;
  const points: CurvePoint[] = [];
  let divergedAt: number | null = null;
  const stepMs: number[] = [];
  const start = performance.now();
  for (let s = 0; s < o.steps; s++) {
    if (cursor + config.batchSize > data.train.count) {
      order = shuffle.permutation(data.train.count);
      cursor = 0;
    }
    fillBatch(data.train, order, cursor, x, y);
    cursor += config.batchSize;
    const before = performance.now();
    const out = model.run("train", { x, y, ...model.randomFeeds?.("train", s, { batch: config.batchSize }) });
    stepMs.push(performance.now() - before);
    const loss = out.loss[0];
    const norms = weightNames.map((n) => out[`${gradNormPrefix}${n}`][0]);
    if (!Number.isFinite(loss) || norms.some((v) => !Number.isFinite(v))) {
      divergedAt = s;
      points.push({ step: s, loss, weightGradNorms: norms });
      break;
    }
    if (recordAt(s) || s === o.steps - 1) points.push({ step: s, loss, weightGradNorms: norms });
  }
  const seconds = (performance.now() - start) / 1000;
  let validationAccuracy: number | null = null;
  if (divergedAt === null) {
    const { x: vx, y: vy } = data.validation;
    validationAccuracy = evaluate(
      model,
      { x: vx, y: vy },
      { batchSize: config.evalBatchSize, metrics: { accuracy: ({ output }) => accuracy(output as Float32Array, vy as Int32Array) } },
    ).metrics.accuracy;
  }
  const sorted = stepMs.sort((a, b) => a - b);
  const medianStepMs = sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)];
  return { points, layerNames: weightNames, seconds, medianStepMs, validationAccuracy, divergedAt };
}

export function writeOutputs(dir: string, files: Record<string, string>): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new Error(`cannot create the output folder ${dir} (--out): ${(err as Error).message}`);
  }
  for (const [name, text] of Object.entries(files)) writeFileDurable(join(dir, name), text);
}

/** A markdown table from a header and rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export const sci = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));
