import { evaluate, type AnyTensor, type Feeds, type Sizes } from "@gradfold/graph";
import { topoSort } from "@gradfold/graph/internal";
import { expect } from "vitest";

/** Every value finite and within `tol` (relative, absolute near 0) of `expected`. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    if (!Number.isFinite(a) || Math.abs(a - e) > tol * Math.max(1, Math.abs(e))) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (tol ${tol}); all: [${Array.from(actual).join(", ")}] vs [${Array.from(expected).join(", ")}]`);
    }
  }
}

/** Equal as evaluated numbers, NaN matching NaN and ±inf matching themselves. */
export function expectSameValues(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) throw new Error(`element ${i}: got ${a}, expected ${e}`);
  }
}

export const hasNonFinite = (values: ArrayLike<number>): boolean => Array.from(values).some((x) => !Number.isFinite(x));

/** The op kinds a graph contains. */
export function opsOf(roots: AnyTensor | readonly AnyTensor[]): Set<string> {
  return new Set(topoSort(Array.isArray(roots) ? roots : [roots as AnyTensor]).map((t) => t.op));
}

export function evalOne(t: AnyTensor, feeds: Feeds = {}, sizes: Sizes = {}): Float64Array {
  return evaluate(t, feeds, sizes);
}
