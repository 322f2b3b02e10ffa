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

/**
 * Splits `data` into (rest, held-out) with a seeded permutation: the held-out part
 * has `size` examples, or that fraction of them when `size` is below 1.
 */
export function holdOut(data: Dataset, sizeOrFraction: number, rng: Rng): [Dataset, Dataset] {
  const size = sizeOrFraction > 0 && sizeOrFraction < 1 ? Math.max(1, Math.round(sizeOrFraction * data.count)) : sizeOrFraction;
  if (!Number.isInteger(size) || size < 0 || size >= data.count) {
    throw new Error(`a held-out size must be an integer in [0, ${data.count - 1}], got ${size}`);
  }
  const perm = rng.permutation(data.count);
  return [subset(data, perm.subarray(size)), subset(data, perm.subarray(0, size))];
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
