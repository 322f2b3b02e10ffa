/**
 * Scalar functions schedules need that the graph has no op for. They are built from
 * comparisons, `where` and polynomials so that the float64 reference interpreter and
 * float32 compiled code agree, and so that the graph's op set stays closed.
 */
import { GraphError } from "@gradfold/graph";
import { add, asScalar, greaterEqual, maximum, minimum, mul, sub, where } from "../math.ts";
import type { Scalar } from "../types.ts";

/** Steps are exact integers in float32 below 2²⁴; schedules are defined up to there. */
export const MAX_STEP = 2 ** 24;

/**
 * ⌊t / d⌋ for an integer step t in [0, 2²⁴) and a positive integer d, by binary
 * search on the quotient's bits: q gains 2ᵇ whenever (q + 2ᵇ)·d ≤ t. Every product
 * compared is an integer; any that float32 rounds is already above 2²⁴ > t, so the
 * comparisons are exact in float32 and float64 alike.
 */
export function floorDiv(t: Scalar, d: number): Scalar {
  if (!Number.isInteger(d) || d < 1) throw new GraphError(`floorDiv: divisor must be a positive integer, got ${d}`);
  const bits = Math.max(1, Math.ceil(Math.log2(MAX_STEP / d + 1)));
  let q: Scalar | number = 0;
  for (let b = bits - 1; b >= 0; b--) {
    const candidate: Scalar = asScalar(add(q, 2 ** b));
    q = asScalar(where(greaterEqual(t, mul(candidate, d)), candidate, q));
  }
  return asScalar(typeof q === "number" ? mul(t, 0) : q);
}

/** Clamps x into [lo, hi]. */
export function clamp(x: Scalar, lo: number, hi: number): Scalar {
  return asScalar(minimum(maximum(x, lo), hi));
}

/**
 * cos(πp) for p in [0, 1] (clamped): −sin(π(p − ½)) by its Taylor series to x¹⁹ on
 * [−π/2, π/2], whose truncation error is below 3e-16. The graph has no cos op.
 */
export function cosPi(p: Scalar): Scalar {
  const x = mul(sub(clamp(p, 0, 1), 0.5), Math.PI);
  const x2 = mul(x, x);
  // sin x = x(1 − x²/(2·3)(1 − x²/(4·5)(1 − …))), nested from the innermost term.
  let series: Scalar | number = 1;
  for (let k = 9; k >= 1; k--) series = asScalar(sub(1, mul(mul(x2, series), 1 / (2 * k * (2 * k + 1)))));
  return asScalar(mul(mul(x, series), -1));
}
