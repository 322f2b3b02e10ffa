import { expect } from "vitest";

/**
 * Asserts float32 results match the float64 reference to 1e-4 relative, with values
 * below 1 in magnitude compared absolutely (f32 cancellation near 0 is not an error).
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = 1e-4): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (e === a) continue;
    const err = Math.abs(a - e) / Math.max(1, Math.abs(e));
    if (!(err <= worst)) {
      worst = Number.isNaN(err) ? Infinity : err;
      at = i;
    }
  }
  expect(worst, `${what}: worst relative error at ${at} (got ${actual[at]}, expected ${expected[at]})`).toBeLessThanOrEqual(tolerance);
}
