import { activationMeaning } from "./activation.ts";
import type { ResolvedMatmul } from "./matmul-spec.ts";

/**
 * The float64 oracle for the kernels' tests and benchmarks: reads op(A), op(B), C
 * and the bias from f32 memory exactly as a spec describes and returns the M×N
 * result (row-major, contiguous) in float64.
 */
export function referenceMatmul(s: ResolvedMatmul, f32: Float32Array, offsets: { a: number; b: number; c: number; bias?: number }): Float64Array {
  const a = offsets.a / 4,
    b = offsets.b / 4,
    c = offsets.c / 4,
    bias = (offsets.bias ?? 0) / 4;
  const at = (i: number, k: number) => f32[a + (s.variant === "tn" ? k * s.lda + i : i * s.lda + k)];
  const bt = (k: number, j: number) => f32[b + (s.variant === "nt" ? j * s.ldb + k : k * s.ldb + j)];
  const out = new Float64Array(s.m * s.n);
  for (let i = 0; i < s.m; i++) {
    for (let j = 0; j < s.n; j++) {
      let sum = 0;
      for (let k = 0; k < s.k; k++) sum += at(i, k) * bt(k, j);
      if (s.accumulate) sum += f32[c + i * s.ldc + j];
      if (s.bias) sum += f32[bias + j];
      sum = activationMeaning[s.activation](sum);
      out[i * s.n + j] = sum;
    }
  }
  return out;
}
