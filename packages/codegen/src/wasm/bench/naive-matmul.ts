import type { ResolvedMatmul } from "../matmul-spec.ts";

/** The plain JS baseline: the textbook triple loop over op(A) and op(B) in f32 arrays. */
export function naiveMatmul(s: ResolvedMatmul, a: Float32Array, b: Float32Array, c: Float32Array): void {
  const { m, n, k, lda, ldb, ldc } = s;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      if (s.variant === "nn") for (let p = 0; p < k; p++) sum += a[i * lda + p] * b[p * ldb + j];
      else if (s.variant === "tn") for (let p = 0; p < k; p++) sum += a[p * lda + i] * b[p * ldb + j];
      else for (let p = 0; p < k; p++) sum += a[i * lda + p] * b[j * ldb + p];
      c[i * ldc + j] = sum;
    }
  }
}
