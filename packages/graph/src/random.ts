/**
 * The project's one seeded generator core and one string hash; nn's initializers,
 * the tests' random data, codegen's kernel checks and the bench all draw from here.
 */

/**
 * mulberry32 (Tommy Ettinger, 2017) as a stream of uint32 words: a 32-bit state
 * advanced by the Weyl increment 0x6D2B79F5 through an xor-shift-multiply output
 * function. Period 2³²; only 32-bit integer arithmetic, so every platform gives the
 * same stream bit for bit.
 */
export function mulberry32Bits(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * mulberry32 as uniform numbers in [0, 1) (`uint32 / 2³²`). Good enough for test data
 * and finite-difference directions; every run with the same seed sees the same numbers.
 */
export function mulberry32(seed: number): () => number {
  const next = mulberry32Bits(seed);
  return () => next() / 4294967296;
}

/** FNV-1a over a string's UTF-16 units, continuing from `h` (the FNV offset basis by default). */
export function fnv1a(text: string, h = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}
