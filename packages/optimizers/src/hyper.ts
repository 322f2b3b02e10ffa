import { GraphError, Tensor } from "@gradfold/graph";
import type { Hyper, Scalar } from "./types.ts";

/**
 * The value of a hyperparameter at the current step: numbers stay numbers (so
 * `1 - beta1` folds in JS), schedules are applied to the step counter, scalar
 * tensors pass through.
 */
export function resolveHyper(h: Hyper, step: Scalar, what: string): number | Scalar {
  if (typeof h === "number") {
    if (!Number.isFinite(h)) throw new GraphError(`${what}: expected a finite number, got ${h}`);
    return h;
  }
  if (typeof h === "function") return checkScalar(h(step), `${what} (schedule result)`);
  return checkScalar(h, what);
}

function checkScalar(t: unknown, what: string): Scalar {
  if (!(t instanceof Tensor) || t.shape.length !== 0 || t.dtype !== "float32") {
    const got = t instanceof Tensor ? `${t.dtype}[${t.shape.join(", ")}]` : typeof t;
    throw new GraphError(`${what}: expected a number, a schedule or a float32 scalar tensor, got ${got}`);
  }
  return t as Scalar;
}

/** True when a hyperparameter is the plain number `value` (lets transforms skip dead terms such as `0·θ`). */
export function isNumber(h: Hyper, value: number): boolean {
  return typeof h === "number" && h === value;
}

/** Checks a plain-number hyperparameter against a range; schedules and tensors are trusted. */
export function checkRange(h: Hyper, what: string, lo: number, hi: number, closedHi = true): void {
  if (typeof h !== "number") return;
  const ok = h >= lo && (closedHi ? h <= hi : h < hi);
  if (!ok) throw new GraphError(`${what}: expected a value in [${lo}, ${hi}${closedHi ? "]" : ")"}, got ${h}`);
}
