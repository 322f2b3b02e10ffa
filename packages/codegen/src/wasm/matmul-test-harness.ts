import { mulberry32 } from "@gradfold/graph";
import type { MatmulKernel } from "./matmul-kernels.ts";
import { storedShapes, type ResolvedMatmul } from "./matmul-spec.ts";
import { referenceMatmul } from "./reference-matmul.ts";
import type { WasmMemory } from "./wasm-api.ts";

/** A deterministic uniform [-1, 1) generator (graph's mulberry32) so failures reproduce. */
export function seededRandom(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => uniform() * 2 - 1;
}

/** Byte offsets of one call's operands, laid out one after another from `base`. */
export interface Placement {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly bias: number;
  /** First byte after the last operand. */
  readonly end: number;
}

/** Places A, B, C and the bias from `base` with a gap of `gap` floats between them. */
export function place(s: ResolvedMatmul, base: number, gap = 5): Placement {
  const { a, b } = storedShapes(s);
  const aAt = base;
  const bAt = aAt + 4 * (a[0] * a[1] + gap);
  const cAt = bAt + 4 * (b[0] * b[1] + gap);
  const biasAt = cAt + 4 * (s.m * s.ldc + gap);
  return { a: aAt, b: bAt, c: cAt, bias: biasAt, end: biasAt + 4 * (s.n + gap) };
}

const SENTINEL = 12345.5;

/**
 * Fills memory with random operands (everything else with a sentinel), runs the
 * kernel, and returns the largest error relative to the float64 reference, scaled
 * per element by Σ|a·b| + |c| + |bias| (the bound f32 rounding error scales with),
 * plus the number of bytes outside C's M×N elements that changed.
 */
export function checkKernel(
  s: ResolvedMatmul,
  kernel: MatmulKernel,
  memory: WasmMemory,
  at: Placement,
  seed: number,
): { maxRelativeError: number; clobbered: number; result: Float32Array } {
  const f32 = new Float32Array(memory.buffer);
  const random = seededRandom(seed);
  f32.fill(SENTINEL, 0, Math.min(f32.length, at.end / 4 + 64));
  const { a, b } = storedShapes(s);
  for (let x = 0; x < a[0] * a[1]; x++) f32[at.a / 4 + x] = random();
  for (let x = 0; x < b[0] * b[1]; x++) f32[at.b / 4 + x] = random();
  for (let i = 0; i < s.m; i++) for (let j = 0; j < s.n; j++) f32[at.c / 4 + i * s.ldc + j] = random();
  for (let j = 0; j < s.n; j++) f32[at.bias / 4 + j] = random();
  const before = f32.slice(0, at.end / 4 + 64);
  const expected = referenceMatmul(s, f32, at);
  const scale = referenceMatmul({ ...s, activation: "none" }, absolute(f32, at.end / 4), at);

  kernel(at.a, at.b, at.c, at.bias);

  let maxRelativeError = 0;
  const result = new Float32Array(s.m * s.n);
  const inC = new Set<number>();
  for (let i = 0; i < s.m; i++) {
    for (let j = 0; j < s.n; j++) {
      const index = at.c / 4 + i * s.ldc + j;
      inC.add(index);
      result[i * s.n + j] = f32[index];
      const err = Math.abs(f32[index] - expected[i * s.n + j]) / (scale[i * s.n + j] + 1e-30);
      maxRelativeError = Math.max(maxRelativeError, Number.isNaN(err) ? Infinity : err);
    }
  }
  let clobbered = 0;
  for (let x = 0; x < before.length; x++) if (!inC.has(x) && !Object.is(before[x], f32[x])) clobbered++;
  return { maxRelativeError, clobbered, result };
}

function absolute(f32: Float32Array, length: number): Float32Array {
  const out = new Float32Array(f32.length);
  for (let x = 0; x < length; x++) out[x] = Math.abs(f32[x]);
  return out;
}
