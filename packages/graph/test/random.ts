/** Seeded random data for tests: every run sees the same numbers. */
import { mulberry32 as rng } from "../src/random.ts";

export { rng };

const shared = rng(12345);

/** n values uniform in [lo, hi). */
export function uniform(n: number, lo = -1, hi = 1, random = shared): Float64Array {
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * random());
}

/** n values with |v| in [0.2, 1.5): keeps kinks at 0 (relu, abs, sign) out of finite differences' reach. */
export function awayFromZero(n: number, random = shared): Float64Array {
  return Float64Array.from({ length: n }, () => (random() < 0.5 ? -1 : 1) * (0.2 + 1.3 * random()));
}

/** n int32 values in [0, k). */
export function ints(n: number, k: number, random = shared): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(random() * k));
}
