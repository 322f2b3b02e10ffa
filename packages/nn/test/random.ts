/** Seeded test data: every run sees the same numbers. */
import { mulberry32 as rng } from "@gradfold/graph";

export { rng };

/** n values uniform in [lo, hi). */
export function uniform(n: number, lo = -1, hi = 1, random = rng(n * 7919 + 17)): Float64Array {
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * random());
}

/** n values with |v| in [0.2, 1.5): keeps kinks at 0 out of finite differences' reach. */
export function awayFromZero(n: number, random = rng(n * 104729 + 3)): Float64Array {
  return Float64Array.from({ length: n }, () => (random() < 0.5 ? -1 : 1) * (0.2 + 1.3 * random()));
}

/** n int32 values in [0, k). */
export function ints(n: number, k: number, random = rng(n * 31 + k)): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(random() * k));
}

/** Rows of a probability simplex: n rows of k positive values summing to 1. */
export function simplexRows(n: number, k: number, random = rng(n * 13 + k)): Float64Array {
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += out[i * k + j] = 0.05 + random();
    for (let j = 0; j < k; j++) out[i * k + j] /= s;
  }
  return out;
}

/** Max |a − b| over two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
