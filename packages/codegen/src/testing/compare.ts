import { expect } from "vitest";

export interface CloseOptions {
  /** Relative tolerance on each finite element (default 1e-4). */
  readonly tolerance?: number;
  /**
   * The absolute floor, as a fraction of the largest finite |expected| of this output
   * (default 1e-5): float32 cancellation near 0 is judged against the output's own
   * scale, never against a fixed 1e-4 that would hide errors in small outputs.
   */
  readonly floor?: number;
  /** Where the reference is exactly ±0, the sign must match too (default false). */
  readonly signedZeros?: boolean;
}

/** Why `a` does not stand for `e`, or null when it does. `slack` is the absolute floor. */
function mismatch(a: number, e: number, tolerance: number, slack: number, signedZeros: boolean): string | null {
  if (Number.isNaN(e) || Number.isNaN(a)) return Number.isNaN(e) && Number.isNaN(a) ? null : "NaN on one side only";
  if (!Number.isFinite(e) || !Number.isFinite(a)) return a === e ? null : "infinities must match exactly";
  if (e === 0 && signedZeros && a === 0 && !Object.is(a, e)) return "the sign of zero differs";
  const err = Math.abs(a - e);
  return err <= tolerance * Math.abs(e) + slack ? null : `error ${err.toExponential(2)} exceeds ${tolerance}·|expected| + ${slack.toExponential(2)}`;
}

/**
 * Asserts float32 results match the float64 reference: relative to each element, with
 * an absolute floor tied to the output's scale. NaN must meet NaN and ±Infinity the
 * same infinity; `signedZeros` also checks −0 against +0. A number as the fourth
 * argument is the relative tolerance.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, options: number | CloseOptions = {}): void {
  const { tolerance = 1e-4, floor = 1e-5, signedZeros = false } = typeof options === "number" ? { tolerance: options } : options;
  expect(actual.length, `${what}: length`).toBe(expected.length);
  // A float32 output is compared with the reference rounded to float32: 1e39 is Infinity there, 1e-46 is ±0.
  const round = actual instanceof Float32Array ? Math.fround : (x: number) => x;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) if (Number.isFinite(round(expected[i]))) scale = Math.max(scale, Math.abs(expected[i]));
  const slack = floor * scale;
  for (let i = 0; i < expected.length; i++) {
    const why = mismatch(actual[i], round(expected[i]), tolerance, slack, signedZeros);
    if (why !== null)
      expect.fail(`${what}: element ${i}: got ${Object.is(actual[i], -0) ? "-0" : actual[i]}, expected ${Object.is(expected[i], -0) ? "-0" : expected[i]} (${why})`);
  }
}
