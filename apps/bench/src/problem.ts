import { mulberry32 } from "@gradfold/graph";
import { cnnParams, cnnStepFlops, type CnnSpec, isCnn } from "./cnn.ts";
import { denseParams } from "./init.ts";

/**
 * One benchmark problem: an MLP (or, with `cnn`, a CNN) training step at a fixed batch, with its initial
 * params and one batch of data drawn from a seeded generator. Every contender
 * starts from this same Problem, so their losses can be compared step by step.
 */

export type OptimizerKind = "sgd" | "adam";

export interface BenchConfig {
  /** Short id used on the command line and in the table, e.g. `mlp-b128-sgd`. */
  readonly id: string;
  /** Layer widths, input first: [784, 256, 128, 10]; of a CNN, its dense layers after the flattened features. */
  readonly layers: readonly number[];
  /** Conv stages before the dense layers (cnn.ts); absent for an MLP. */
  readonly cnn?: CnnSpec;
  readonly batch: number;
  readonly optimizer: OptimizerKind;
}

/** Hyperparameters named as in PyTorch's torch.optim (the project's convention). */
export interface Hyper {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

export interface ParamData {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface Problem {
  readonly config: BenchConfig;
  readonly hyper: Hyper;
  /** W1, b1, W2, b2, … in layer order; W is [in, out], b is [out]. A CNN's filters F1, c1, … ([k, k, in, out]) come first. */
  readonly params: readonly ParamData[];
  /** Row-major [batch, layers[0]]; a CNN's images NHWC, one [h·w·c] row per example. */
  readonly x: Float32Array;
  /** Class index per example, in [0, classes). */
  readonly labels: Int32Array;
  /** The same labels one-hot, row-major [batch, classes], for peers that take dense targets. */
  readonly oneHot: Float32Array;
}

export const hyperFor = (optimizer: OptimizerKind): Hyper =>
  optimizer === "sgd" ? { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 } : { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** mulberry32 (graph's generator): a tiny, fast, seedable 32-bit generator; quality is ample for benchmark data. */
export const seededRandom: (seed: number) => () => number = mulberry32;

/**
 * Builds the problem for `config`: He-uniform weights (suited to ReLU), zero biases,
 * inputs uniform in [0, 1) like pixel intensities, uniformly random labels.
 */
export function makeProblem(config: BenchConfig, seed = 1234): Problem {
  const random = seededRandom(seed);
  const params = isCnn(config) ? cnnParams(config, random) : denseParams(config.layers, random);
  const features = isCnn(config) ? config.cnn.image.reduce((a, b) => a * b, 1) : config.layers[0];
  const classes = config.layers[config.layers.length - 1];
  const x = new Float32Array(config.batch * features);
  for (let i = 0; i < x.length; i++) x[i] = random();
  const labels = new Int32Array(config.batch);
  const oneHot = new Float32Array(config.batch * classes);
  for (let i = 0; i < config.batch; i++) {
    labels[i] = Math.min(classes - 1, Math.floor(random() * classes));
    oneHot[i * classes + labels[i]] = 1;
  }
  return { config, hyper: hyperFor(config.optimizer), params, x, labels, oneHot };
}

/** Multiply-adds ×2 of one training step (forward, both backward matmuls except dX of layer 1). */
export function stepFlops(config: BenchConfig): number {
  if (isCnn(config)) return cnnStepFlops(config);
  let flops = 0;
  for (let l = 0; l + 1 < config.layers.length; l++) {
    const mnk = config.batch * config.layers[l] * config.layers[l + 1];
    flops += 2 * mnk * (l === 0 ? 2 : 3);
  }
  return flops;
}
