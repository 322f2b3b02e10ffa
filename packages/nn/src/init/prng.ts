import { fnv1a, mulberry32Bits } from "@gradfold/graph/internal";

/**
 * The seeded pseudo-random generator behind every initializer and dropout mask.
 *
 * - The seed is first mixed by one round of splitmix32 (Steele et al.'s splitmix
 *   finalizer on 32-bit words), so nearby seeds (1, 2, 3…) start far apart.
 * - The stream is mulberry32 (Tommy Ettinger, 2017): a 32-bit state advanced by the
 *   Weyl increment 0x6D2B79F5 and passed through an xor-shift-multiply output
 *   function. Period 2³², passes gjrand/PractRand to a few GB: plenty for weights.
 * - Uniforms are `uint32 / 2³²` in [0, 1); normals use the Box–Muller transform,
 *   z = √(−2 ln u₁)·cos(2π u₂) with u₁ in (0, 1], caching the sine partner.
 *
 * Only 32-bit integer arithmetic (Math.imul, >>>) is used, so every platform
 * produces the same stream bit for bit.
 */
export interface RandomStream {
  /** The next 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
}

/** One splitmix32 finalizer round: a bijective scramble of a 32-bit word. */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over a string's UTF-16 units: turns a layer name into a seed. */
export function hashString(text: string): number {
  return fnv1a(text);
}

/** Combines seeds (e.g. a base seed and a step counter) into one, order-sensitively. */
export function combineSeeds(...seeds: number[]): number {
  let h = 0x2545f491;
  for (const s of seeds) h = splitmix32((h ^ (s >>> 0)) >>> 0);
  return h;
}

export function createRng(seed: number): RandomStream {
  if (!Number.isFinite(seed)) throw new Error(`createRng: seed must be a finite number, got ${seed}`);
  const uint32 = mulberry32Bits(splitmix32(Math.trunc(seed) >>> 0));
  let spare: number | null = null;
  const uniform = (): number => uint32() / 4294967296;
  const normal = (): number => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const u1 = 1 - uniform(); // (0, 1]: keeps log finite
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
  return { uint32, uniform, normal };
}
