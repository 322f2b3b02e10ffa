import type { FunctionBuilder } from "./function-builder.ts";
import type { ResolvedMatmul } from "./matmul-spec.ts";
import { vecMulAdd, type MatmulTuning } from "./matmul-tuning.ts";

/**
 * The nn and tn kernels: op(B) rows are contiguous, so a register tile of R rows ×
 * V·4 columns keeps R·V v128 accumulators; each k step loads V vectors of B and
 * broadcasts one A element per row (`v128.load32_splat`). Every output element is
 * the k-ascending sum acc += a·b in f32 whatever tile computes it, so splitting the
 * rows across threads cannot change a result.
 *
 * Loop nest: column panels outermost (the K×4V panel of B stays in L1/L2 while all
 * rows stream past it), row tiles inside, k innermost. Edges are separate tiles with
 * fewer rows, fewer vectors, or scalar columns (N mod 4), all generated for the
 * constant sizes.
 */
export function emitBroadcastMatmul(fn: FunctionBuilder, s: ResolvedMatmul, t: MatmulTuning): void {
  const [a, b, c, bias] = [fn.param(0), fn.param(1), fn.param(2), fn.param(3)];
  // Byte strides of op(A) along i and k, and of op(B) along k.
  const aRowStep = 4 * (s.variant === "tn" ? 1 : s.lda);
  const aKStep = 4 * (s.variant === "tn" ? s.lda : 1);
  const bKStep = 4 * s.ldb;
  const cRowStep = 4 * s.ldc;

  const colB = fn.local("i32"), colC = fn.local("i32"), colBias = fn.local("i32");
  const rowA = fn.local("i32"), rowC = fn.local("i32");
  const ap = fn.local("i32"), bp = fn.local("i32");
  const jCount = fn.local("i32"), iCount = fn.local("i32"), kCount = fn.local("i32");
  const R = t.rows, V = t.vectors;
  const acc = Array.from({ length: R }, () => Array.from({ length: V }, () => fn.local("v128")));
  const bv = Array.from({ length: V }, () => fn.local("v128"));
  const av = fn.local("v128");
  const sacc = Array.from({ length: R }, () => Array.from({ length: 3 }, () => fn.local("f32")));
  const sb = Array.from({ length: 3 }, () => fn.local("f32"));
  const sa = fn.local("f32");
  const zero = fn.local("v128");
  if (s.activation === "relu") fn.f32x4(0).set(zero);

  /** One register tile at (rowA, rowC) × (colB, colC, colBias): `rows` rows, `vectors` v128 columns or `scalars` f32 columns. */
  const tile = (rows: number, width: { vectors: number } | { scalars: number }) => {
    const vectorTile = "vectors" in width;
    const cols = vectorTile ? width.vectors : width.scalars;
    const accOf = (r: number, v: number) => (vectorTile ? acc[r][v] : sacc[r][v]);
    const colBytes = vectorTile ? 16 : 4;
    fn.get(rowA).set(ap).get(colB).set(bp);
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < cols; v++) {
        if (s.accumulate) {
          fn.get(rowC);
          if (vectorTile) fn.simdMem("v128.load", r * cRowStep + v * colBytes);
          else fn.mem("f32.load", r * cRowStep + v * colBytes);
        } else if (vectorTile) fn.f32x4(0);
        else fn.f32(0);
        fn.set(accOf(r, v));
      }
    }
    const step = (u: number) => {
      for (let v = 0; v < cols; v++) {
        fn.get(bp);
        if (vectorTile) fn.simdMem("v128.load", u * bKStep + v * 16).set(bv[v]);
        else fn.mem("f32.load", u * bKStep + v * 4).set(sb[v]);
      }
      for (let r = 0; r < rows; r++) {
        fn.get(ap);
        if (vectorTile) {
          fn.simdMem("v128.load32_splat", u * aKStep + r * aRowStep).set(av);
          for (let v = 0; v < cols; v++) vecMulAdd(fn, acc[r][v], av, bv[v], t.fma);
        } else {
          fn.mem("f32.load", u * aKStep + r * aRowStep).set(sa);
          for (let v = 0; v < cols; v++) {
            fn.get(sacc[r][v]).get(sa).get(sb[v]).core("f32.mul").core("f32.add").set(sacc[r][v]);
          }
        }
      }
    };
    const U = Math.max(1, Math.min(t.kUnroll, s.k));
    fn.repeat(kCount, Math.floor(s.k / U), () => {
      for (let u = 0; u < U; u++) step(u);
      fn.addTo(ap, U * aKStep).addTo(bp, U * bKStep);
    });
    for (let u = 0; u < s.k % U; u++) step(u);

    for (let v = 0; v < cols; v++) {
      for (let r = 0; r < rows; r++) {
        const x = accOf(r, v);
        fn.get(rowC);
        fn.get(x);
        if (s.bias) {
          fn.get(colBias);
          if (vectorTile) fn.simdMem("v128.load", v * 16).simd("f32x4.add");
          else fn.mem("f32.load", v * 4).core("f32.add");
        }
        if (s.activation === "relu") {
          if (vectorTile) fn.get(zero).simd("f32x4.max");
          else fn.f32(0).core("f32.max");
        }
        if (vectorTile) fn.simdMem("v128.store", r * cRowStep + v * 16);
        else fn.mem("f32.store", r * cRowStep + v * 4);
      }
    }
  };

  /** All row tiles of one column panel. */
  const rowsOfPanel = (width: { vectors: number } | { scalars: number }) => {
    fn.get(a).set(rowA).get(colC).set(rowC);
    const fullTiles = Math.floor(s.m / R);
    fn.repeat(iCount, fullTiles, () => {
      tile(R, width);
      fn.addTo(rowA, R * aRowStep).addTo(rowC, R * cRowStep);
    });
    if (s.m % R) tile(s.m % R, width);
  };

  /** A run of `count` equal column panels starting at column j0. */
  const panels = (j0: number, count: number, width: { vectors: number } | { scalars: number }) => {
    if (count === 0) return;
    const bytes = "vectors" in width ? 16 * width.vectors : 4 * width.scalars;
    fn.get(b).i32(4 * j0).core("i32.add").set(colB);
    fn.get(c).i32(4 * j0).core("i32.add").set(colC);
    fn.get(bias).i32(4 * j0).core("i32.add").set(colBias);
    fn.repeat(jCount, count, () => {
      rowsOfPanel(width);
      fn.addTo(colB, bytes).addTo(colC, bytes).addTo(colBias, bytes);
    });
  };

  const panelCols = 4 * V;
  const fullPanels = Math.floor(s.n / panelCols);
  let j0 = fullPanels * panelCols;
  panels(0, fullPanels, { vectors: V });
  const restVectors = Math.floor((s.n - j0) / 4);
  panels(j0, restVectors > 0 ? 1 : 0, { vectors: restVectors });
  j0 += 4 * restVectors;
  panels(j0, s.n - j0 > 0 ? 1 : 0, { scalars: s.n - j0 });
}
