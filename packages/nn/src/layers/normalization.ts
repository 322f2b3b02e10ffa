import { add, div, GraphError, mean, mul, param, rsqrt, size, square, stopGradient, sub, type Dim } from "@gradfold/graph";
import { layerName, trainingMode } from "./scope.ts";
import { featuresOf, layerOf, type FloatTensor, type Layer, type Update } from "./layer.ts";

export interface LayerNormOptions {
  /** Param prefix: `${name}/gamma`, `${name}/beta`. Default "layerNorm". */
  name?: string;
  eps?: number;
  /** Learn a per-feature scale γ (init 1) and shift β (init 0); default true. */
  affine?: boolean;
  /** Normalise over this many trailing axes (PyTorch's normalized_shape); default 1. */
  normalizedAxes?: number;
}

/**
 * Layer normalization (Ba et al. 2016) over the trailing axes, per example:
 * (x − μ)/√(σ² + ε)·γ + β with the biased variance, as PyTorch's LayerNorm.
 */
export function layerNorm(x: FloatTensor, options: LayerNormOptions = {}): Layer {
  const { eps = 1e-5, affine = true, normalizedAxes = 1 } = options;
  const name = layerName("layerNorm", options.name);
  const what = `layerNorm ${JSON.stringify(name)}`;
  featuresOf(what, x);
  if (!Number.isInteger(normalizedAxes) || normalizedAxes < 1 || normalizedAxes > x.shape.length) {
    throw new GraphError(`${what}: normalizedAxes must be an integer in [1, ${x.shape.length}], got ${normalizedAxes}`);
  }
  const normalizedShape = x.shape.slice(-normalizedAxes);
  if (!normalizedShape.every((d): d is number => typeof d === "number")) {
    throw new GraphError(`${what}: the normalized axes need concrete sizes, got ${JSON.stringify(normalizedShape)}`);
  }
  const axes = normalizedShape.map((_, i) => x.shape.length - normalizedAxes + i);
  const mu = mean(x, axes, true);
  const centered = sub(x, mu);
  const variance = mean(square(centered), axes, true);
  const normalized = mul(centered, rsqrt(add(variance, eps))) as FloatTensor;
  if (!affine) return layerOf(normalized);
  const gamma = param(`${name}/gamma`, normalizedShape, { init: 1 });
  const beta = param(`${name}/beta`, normalizedShape, { init: 0 });
  return layerOf(add(mul(normalized, gamma), beta) as FloatTensor, [{ params: [gamma, beta] }]);
}

export interface BatchNormOptions {
  /** Prefix of `${name}/gamma`, `${name}/beta`, `${name}/runningMean`, `${name}/runningVar`. Default "batchNorm". */
  name?: string;
  /** Training mode normalises by the batch's statistics and updates the running ones. Default: the build's mode (see `defineModel`), else true. */
  training?: boolean;
  /** Weight of the new batch in the running averages (PyTorch's convention); default 0.1. */
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalization (Ioffe & Szegedy 2015) per feature (the last axis), over every
 * other axis (the batch, and any spatial axes in channels-last layout), as PyTorch:
 * - training: normalise by the batch mean and biased variance, and return updates
 *   runningMean ← (1 − m)·runningMean + m·μ_B, runningVar ← (1 − m)·runningVar + m·σ²_B·n/(n − 1)
 *   (the running variance is unbiased), to be applied with the optimizer's updates;
 * - evaluation: normalise by the running statistics; no updates.
 * The running statistics are params listed as `state`, not `params`: checkpointed,
 * never differentiated. γ (init 1) and β (init 0) are trainable.
 */
export function batchNorm(x: FloatTensor, options: BatchNormOptions = {}): Layer {
  const { momentum = 0.1, eps = 1e-5 } = options;
  const name = layerName("batchNorm", options.name);
  const training = options.training ?? trainingMode() ?? true;
  const features = featuresOf(`batchNorm ${JSON.stringify(name)}`, x);
  if (!(momentum >= 0 && momentum <= 1)) throw new GraphError(`batchNorm ${JSON.stringify(name)}: momentum must be in [0, 1], got ${momentum}`);
  const gamma = param(`${name}/gamma`, [features], { init: 1 });
  const beta = param(`${name}/beta`, [features], { init: 0 });
  const runningMean = param(`${name}/runningMean`, [features], { init: 0 });
  const runningVar = param(`${name}/runningVar`, [features], { init: 1 });
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const affine = (normalized: FloatTensor) => add(mul(normalized, gamma), beta) as FloatTensor;
  const parts = { params: [gamma, beta], state: [runningMean, runningVar] };
  if (!training) {
    const normalized = mul(sub(x, runningMean), rsqrt(add(runningVar, eps))) as FloatTensor;
    return layerOf(affine(normalized), [parts]);
  }
  if (axes.length === 0) throw new GraphError(`batchNorm ${JSON.stringify(name)}: training needs a batch axis, got shape ${JSON.stringify(x.shape)}`);
  const mu = mean(x, axes) as FloatTensor;
  const centered = sub(x, mu);
  const variance = mean(square(centered), axes) as FloatTensor;
  const normalized = mul(centered, rsqrt(add(variance, eps))) as FloatTensor;
  const count = size(x.shape.slice(0, -1) as Dim[]);
  const unbiased = div(mul(stopGradient(variance), count), sub(count, 1));
  const updates: Update[] = [
    [runningMean, add(mul(runningMean, 1 - momentum), mul(stopGradient(mu), momentum)) as FloatTensor],
    [runningVar, add(mul(runningVar, 1 - momentum), mul(unbiased, momentum)) as FloatTensor],
  ];
  return layerOf(affine(normalized), [{ ...parts, updates }]);
}
