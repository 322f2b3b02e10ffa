import { GraphError, mean, sum, type FloatTensor, type Scalar, type Tensor } from "@gradfold/graph";
import { sameShape } from "@gradfold/graph/internal";

export type { FloatTensor, Scalar };

/** How per-element (or per-example) losses become the returned value, as PyTorch's `reduction`. */
export type Reduction = "mean" | "sum" | "none";

/** A scalar for "mean"/"sum"; the unreduced losses for "none". */
export type Reduced<R extends Reduction> = R extends "none" ? FloatTensor : Scalar;

export interface ReductionOptions<R extends Reduction = "mean"> {
  /** Default "mean": the average over every element (or example) of the batch. */
  reduction?: R;
}

/** Applies a reduction; the mean divides by a symbolic `size` when the batch dim is symbolic. */
export function reduce<R extends Reduction>(losses: FloatTensor, reduction: R | undefined, what: string): Reduced<R> {
  const r = reduction ?? "mean";
  if (r === "mean") return mean(losses) as never;
  if (r === "sum") return sum(losses) as never;
  if (r === "none") return losses as never;
  throw new GraphError(`${what}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(r)}`);
}

/**
 * Both operands float32 and of one shape. Differing shapes are rejected, not broadcast:
 * a loss silently broadcasting [n] against [n, 1] is a classic bug.
 */
export function checkFloatPair(what: string, a: FloatTensor, b: FloatTensor, names: [string, string]): void {
  checkFloat(what, a, names[0]);
  checkFloat(what, b, names[1]);
  if (!sameShape(a.shape, b.shape)) {
    throw new GraphError(`${what}: ${names[0]} and ${names[1]} must have the same shape, got ${JSON.stringify(a.shape)} and ${JSON.stringify(b.shape)}`);
  }
}

export function checkFloat(what: string, t: Tensor, name: string): void {
  if (t.dtype !== "float32") throw new GraphError(`${what}: ${name} must be float32, got ${t.dtype}`);
}
