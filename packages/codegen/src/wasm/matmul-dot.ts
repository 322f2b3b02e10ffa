import type { FunctionBuilder } from "./function-builder.ts";
import type { ResolvedMatmul } from "./matmul-spec.ts";
import { vecMulAdd, type MatmulTuning } from "./matmul-tuning.ts";

/**
 * The nt kernel (A·Bᵀ): rows of A and of the stored B are both contiguous along k,
 * so each output element is a dot product. A tile of R rows × Q columns keeps R·Q
 * v128 accumulators of 4 partial sums (lane l sums k ≡ l mod 4); a k step loads Q
 * vectors of B and one of A per row. After the loop each accumulator is reduced as
 * (l0 + l1) + (l2 + l3), then the k mod 4 tail is added in scalar order. The order
 * is the same for every element whatever tile computes it (thread splits are exact);
 * it differs from a k-ascending sum by rounding only.
 */
export function emitDotMatmul(fn: FunctionBuilder, s: ResolvedMatmul, t: MatmulTuning): void {
  const [a, b, c, bias] = [fn.param(0), fn.param(1), fn.param(2), fn.param(3)];
  const aRowStep = 4 * s.lda;
  const bRowStep = 4 * s.ldb;
  const cRowStep = 4 * s.ldc;
  const kVectors = Math.floor(s.k / 4);
  const kTail = s.k % 4;

  const colB = fn.local("i32"), colC = fn.local("i32"), colBias = fn.local("i32");
  const rowA = fn.local("i32"), rowC = fn.local("i32");
  const ap = fn.local("i32"), bp = fn.local("i32");
  const jCount = fn.local("i32"), iCount = fn.local("i32"), kCount = fn.local("i32");
  const R = t.ntRows, Q = t.ntCols;
  const acc = Array.from({ length: R }, () => Array.from({ length: Q }, () => fn.local("v128")));
  const bv = Array.from({ length: Q }, () => fn.local("v128"));
  const av = fn.local("v128");
  const sum = fn.local("f32");

  const tile = (rows: number, cols: number) => {
    fn.get(rowA).set(ap).get(colB).set(bp);
    for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) fn.f32x4(0).set(acc[r][q]);
    const step = (u: number) => {
      for (let q = 0; q < cols; q++) fn.get(bp).simdMem("v128.load", u * 16 + q * bRowStep).set(bv[q]);
      for (let r = 0; r < rows; r++) {
        fn.get(ap).simdMem("v128.load", u * 16 + r * aRowStep).set(av);
        for (let q = 0; q < cols; q++) vecMulAdd(fn, acc[r][q], av, bv[q], t.fma);
      }
    };
    const U = Math.max(1, Math.min(t.kUnroll, kVectors));
    fn.repeat(kCount, Math.floor(kVectors / U), () => {
      for (let u = 0; u < U; u++) step(u);
      fn.addTo(ap, 16 * U).addTo(bp, 16 * U);
    });
    for (let u = 0; u < kVectors % U; u++) step(u);
    // ap/bp now point at k = 4·⌊K/4⌋ minus the unrolled remainder's offsets.
    const tailBase = 16 * (kVectors % U);

    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < cols; q++) {
        const x = acc[r][q];
        fn.get(x).lane("f32x4.extract_lane", 0).get(x).lane("f32x4.extract_lane", 1).core("f32.add");
        fn.get(x).lane("f32x4.extract_lane", 2).get(x).lane("f32x4.extract_lane", 3).core("f32.add");
        fn.core("f32.add").set(sum);
        for (let kk = 0; kk < kTail; kk++) {
          fn.get(sum);
          fn.get(ap).mem("f32.load", tailBase + 4 * kk + r * aRowStep);
          fn.get(bp).mem("f32.load", tailBase + 4 * kk + q * bRowStep);
          fn.core("f32.mul").core("f32.add").set(sum);
        }
        fn.get(rowC);
        if (s.accumulate) fn.get(rowC).mem("f32.load", r * cRowStep + 4 * q).get(sum).core("f32.add");
        else fn.get(sum);
        if (s.bias) fn.get(colBias).mem("f32.load", 4 * q).core("f32.add");
        if (s.activation === "relu") fn.f32(0).core("f32.max");
        fn.mem("f32.store", r * cRowStep + 4 * q);
      }
    }
  };

  const rowsOfPanel = (cols: number) => {
    fn.get(a).set(rowA).get(colC).set(rowC);
    fn.repeat(iCount, Math.floor(s.m / R), () => {
      tile(R, cols);
      fn.addTo(rowA, R * aRowStep).addTo(rowC, R * cRowStep);
    });
    if (s.m % R) tile(s.m % R, cols);
  };

  const panels = (j0: number, count: number, cols: number) => {
    if (count === 0) return;
    fn.get(b).i32(j0 * bRowStep).core("i32.add").set(colB);
    fn.get(c).i32(4 * j0).core("i32.add").set(colC);
    fn.get(bias).i32(4 * j0).core("i32.add").set(colBias);
    fn.repeat(jCount, count, () => {
      rowsOfPanel(cols);
      fn.addTo(colB, cols * bRowStep).addTo(colC, 4 * cols).addTo(colBias, 4 * cols);
    });
  };

  const fullPanels = Math.floor(s.n / Q);
  panels(0, fullPanels, Q);
  panels(fullPanels * Q, s.n % Q ? 1 : 0, s.n % Q);
}
