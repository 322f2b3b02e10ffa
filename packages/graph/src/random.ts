/**
 * mulberry32 (Tommy Ettinger, 2017): a tiny seeded generator of uniform numbers in
 * [0, 1). Good enough for test data and finite-difference directions; every run with
 * the same seed sees the same numbers.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
