import type { FunctionBuilder, Local } from "./function-builder.ts";

/**
 * Float64 sums of f32 lanes, shared by the softmax and reduction kernels: lanes 0, 1
 * accumulate in `lo`, lanes 2, 3 in `hi` (each promoted exactly), and the total is
 * (l0 + l2) + (l1 + l3).
 */
export const HIGH_BYTES = [8, 9, 10, 11, 12, 13, 14, 15];
export const LOW_BYTES = [0, 1, 2, 3, 4, 5, 6, 7];

/** lo += lanes 0, 1 of v; hi += lanes 2, 3 (as f64x2). */
export function addLanes(fn: FunctionBuilder, lo: Local, hi: Local, v: Local): void {
  fn.get(lo).get(v).simd("f64x2.promote_low_f32x4").simd("f64x2.add").set(lo);
  fn.get(hi)
    .get(v)
    .get(v)
    .shuffle([...HIGH_BYTES, ...HIGH_BYTES])
    .simd("f64x2.promote_low_f32x4")
    .simd("f64x2.add")
    .set(hi);
}

/** Pushes the f64x2 whose two lanes both hold (l0 + l2) + (l1 + l3); `lo` is overwritten. */
export function pushLaneTotal(fn: FunctionBuilder, lo: Local, hi: Local): void {
  fn.get(lo).get(hi).simd("f64x2.add").set(lo);
  fn.get(lo)
    .get(lo)
    .get(lo)
    .shuffle([...HIGH_BYTES, ...LOW_BYTES])
    .simd("f64x2.add");
}
