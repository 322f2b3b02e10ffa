import { broadcastStrides } from "../lower/shapes.ts";
import { mergeNest, type NestDim } from "./loops.ts";

/**
 * The loop structure of a reduction over `axes` of `shape`: kept axes outside (the
 * output is written in their row-major order with a running index `o`), reduced axes
 * inside. `operands` all have `shape`; their strides are row-major.
 */
export interface ReductionNest {
  readonly kept: NestDim[];
  readonly reduced: NestDim[];
}

export function reductionNest(shape: readonly number[], axes: readonly number[], operands: readonly (readonly number[])[]): ReductionNest {
  const strides = operands.map((o) => broadcastStrides(o, shape));
  const dim = (axis: number): NestDim => ({ size: shape[axis], strides: strides.map((s) => s[axis]) });
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  return { kept: mergeNest(kept.map(dim)), reduced: mergeNest(axes.map(dim)) };
}
