import type { Rng } from "../rng.ts";

/**
 * Examples as one row-major float32 matrix plus targets: int32 class labels for
 * classification, float32 values for regression.
 */
export interface Dataset {
  readonly x: Float32Array;
  readonly y: Int32Array | Float32Array;
  readonly count: number;
  readonly features: number;
}

export interface TaskInfo {
  readonly task: "classification" | "regression";
  /** Number of classes (classification) or 1 (regression). */
  readonly outputs: number;
  readonly classNames?: readonly string[];
  /**
   * Regression: the training targets' mean and deviation. The targets are trained
   * standardised (a net's outputs start near 0 with unit scale); losses and predictions
   * are reported back in the original units.
   */
  readonly targetScale?: { readonly mean: number; readonly std: number };
}

export interface DataSplits {
  readonly name: string;
  readonly info: TaskInfo;
  readonly train: Dataset;
  readonly validation: Dataset;
  readonly test: Dataset;
}

/** The examples at `indices`, in that order. */
export function subset(data: Dataset, indices: ArrayLike<number>): Dataset {
  const { features } = data;
  const x = new Float32Array(indices.length * features);
  const y = new (data.y.constructor as Int32ArrayConstructor | Float32ArrayConstructor)(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    x.set(data.x.subarray(k * features, (k + 1) * features), i * features);
    y[i] = data.y[k];
  }
  return { x, y, count: indices.length, features };
}

/** The number of examples a size option asks for: a count, or below 1 a fraction (at least one example). */
export function heldOutCount(sizeOrFraction: number, count: number): number {
  return sizeOrFraction > 0 && sizeOrFraction < 1 ? Math.max(1, Math.round(sizeOrFraction * count)) : sizeOrFraction;
}

/**
 * Splits `data` into (rest, held-out) with a seeded permutation: the held-out part
 * has `size` examples, or that fraction of them when `size` is below 1. `option`
 * names the flag that set the size, for the error when it does not fit.
 */
export function holdOut(data: Dataset, sizeOrFraction: number, rng: Rng, option = "held-out size"): [Dataset, Dataset] {
  const [rest, held] = heldOutOrder(data.count, sizeOrFraction, rng, option);
  return [subset(data, rest), subset(data, held)];
}

/**
 * holdOut's split as row indices, (rest, held-out), for data not yet in a Dataset (MNIST's
 * bytes are scaled straight into each part's floats). The same rng draws, so the same split.
 */
export function heldOutOrder(count: number, sizeOrFraction: number, rng: Rng, option = "held-out size"): [Int32Array, Int32Array] {
  const size = heldOutCount(sizeOrFraction, count);
  if (!Number.isInteger(size) || size < 0 || size >= count) {
    throw new Error(
      `${option} ${sizeOrFraction} asks for ${size} of the ${count} examples left at that point; ` +
        `it must leave at least one for training (a count up to ${count - 1}, or a fraction below 1)`,
    );
  }
  const perm = rng.permutation(count);
  return [perm.subarray(size), perm.subarray(0, size)];
}

/** Copies the examples `order[start .. start+size)` into the batch buffers. */
export function fillBatch(data: Dataset, order: ArrayLike<number>, start: number, x: Float32Array, y: Int32Array | Float32Array): void {
  const { features } = data;
  const size = y.length;
  for (let i = 0; i < size; i++) {
    const k = order[start + i];
    x.set(data.x.subarray(k * features, (k + 1) * features), i * features);
    y[i] = data.y[k];
  }
}
