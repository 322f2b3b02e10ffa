import type { FunctionBuilder } from "./function-builder.ts";
import type { ResolvedMatmul } from "./matmul-spec.ts";
import { blockRowsFor, runsOf, vecMulAdd, type MatmulTuning } from "./matmul-tuning.ts";
import { activationEmitters, tempLocals } from "./activation.ts";

/** One slice of the k range: how long, whether C holds a partial sum to resume, whether the epilogue runs. */
type KBlock = { length: number; loadC: boolean; last: boolean };

/**
 * The nn and tn kernels: op(B) rows are contiguous, so a register tile of R rows ×
 * V·4 columns keeps R·V v128 accumulators; each k step loads V vectors of B and
 * broadcasts one A element per row (`v128.load32_splat`). Every output element is
 * the k-ascending sum acc += a·b in f32 whatever tile computes it, so splitting the
 * rows across threads cannot change a result.
 *
 * Loop nest (order "columns"): K blocks, row blocks, column panels (each packed to
 * scratch when `pack`), row tiles, k. Edges are separate tiles with fewer rows,
 * fewer vectors, or scalar columns (N mod 4), all generated for the constant sizes.
 */
export function emitBroadcastMatmul(fn: FunctionBuilder, s: ResolvedMatmul, t: MatmulTuning, pack: boolean): void {
  const [a, b, c, bias, scratch] = [fn.param(0), fn.param(1), fn.param(2), fn.param(3), fn.param(4)];
  // Packing copies each full K-block × 4V panel of B to `scratch` once per row block,
  // so the row tiles read it contiguously (16V bytes per k) instead of at stride ldb.
  const packing = pack && t.order === "columns";
  const packedStep = 16 * t.vectors;
  // Byte strides of op(A) along i and k, and of op(B) along k.
  const aRowStep = 4 * (s.variant === "tn" ? 1 : s.lda);
  const aKStep = 4 * (s.variant === "tn" ? s.lda : 1);
  const bKStepInB = 4 * s.ldb;
  const cRowStep = 4 * s.ldc;

  const colB = fn.local("i32"),
    colC = fn.local("i32"),
    colBias = fn.local("i32");
  const rowA = fn.local("i32"),
    rowC = fn.local("i32"),
    cTile = fn.local("i32");
  const blockA = fn.local("i32"),
    blockC = fn.local("i32"),
    blockCount = fn.local("i32"),
    kBlockB = fn.local("i32");
  const ap = fn.local("i32"),
    bp = fn.local("i32");
  const jCount = fn.local("i32"),
    iCount = fn.local("i32"),
    kCount = fn.local("i32");
  const R = t.rows,
    V = t.vectors;
  const acc = Array.from({ length: R }, () => Array.from({ length: V }, () => fn.local("v128")));
  const bv = Array.from({ length: V }, () => fn.local("v128"));
  const av = fn.local("v128");
  const sacc = Array.from({ length: R }, () => Array.from({ length: 3 }, () => fn.local("f32")));
  const sb = Array.from({ length: 3 }, () => fn.local("f32"));
  const sa = fn.local("f32");
  const temps = tempLocals(fn);

  /** One register tile at (rowA, rowC) × (colB, colC, colBias): `rows` rows, `vectors` v128 columns or `scalars` f32 columns. */
  const tile = (rows: number, width: { vectors: number } | { scalars: number }, kb: KBlock) => {
    const vectorTile = "vectors" in width;
    const cols = vectorTile ? width.vectors : width.scalars;
    const accOf = (r: number, v: number) => (vectorTile ? acc[r][v] : sacc[r][v]);
    const colBytes = vectorTile ? 16 : 4;
    const packed = packing && vectorTile && cols === V;
    const bKStep = packed ? packedStep : bKStepInB;
    fn.get(rowA)
      .set(ap)
      .get(packed ? scratch : colB)
      .set(bp);
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < cols; v++) {
        if (kb.loadC) {
          fn.get(cTile);
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
    const U = Math.max(1, Math.min(t.kUnroll, kb.length));
    fn.repeat(kCount, Math.floor(kb.length / U), () => {
      for (let u = 0; u < U; u++) step(u);
      fn.addTo(ap, U * aKStep).addTo(bp, U * bKStep);
    });
    for (let u = 0; u < kb.length % U; u++) step(u);

    for (let v = 0; v < cols; v++) {
      for (let r = 0; r < rows; r++) {
        const x = accOf(r, v);
        fn.get(cTile);
        fn.get(x);
        if (!kb.last) {
          // A partial sum over this K block: stored exactly, reloaded by the next block.
          if (vectorTile) fn.simdMem("v128.store", r * cRowStep + v * 16);
          else fn.mem("f32.store", r * cRowStep + v * 4);
          continue;
        }
        if (s.bias) {
          fn.get(colBias);
          if (vectorTile) fn.simdMem("v128.load", v * 16).simd("f32x4.add");
          else fn.mem("f32.load", v * 4).core("f32.add");
        }
        temps.reset();
        activationEmitters[s.activation](fn, vectorTile, temps.temp(vectorTile ? "v128" : "f32"));
        if (vectorTile) fn.simdMem("v128.store", r * cRowStep + v * 16);
        else fn.mem("f32.store", r * cRowStep + v * 4);
      }
    }
  };

  type Width = { vectors: number } | { scalars: number };
  const widthBytes = (w: Width) => ("vectors" in w ? 16 * w.vectors : 4 * w.scalars);
  // Consecutive runs of equal tiles along each dimension (full tiles, then edges).
  const panelCols = 4 * V;
  const fullPanels = Math.floor(s.n / panelCols);
  const restVectors = Math.floor((s.n - fullPanels * panelCols) / 4);
  const restScalars = s.n - fullPanels * panelCols - 4 * restVectors;
  const columnRuns: Array<{ count: number; width: Width }> = [
    { count: fullPanels, width: { vectors: V } },
    { count: restVectors > 0 ? 1 : 0, width: { vectors: restVectors } },
    { count: restScalars > 0 ? 1 : 0, width: { scalars: restScalars } },
  ].filter((run) => run.count > 0);

  /** The row tiles of a block of `blockRows` rows starting at (blockA, blockC). */
  const eachRowTile = (blockRows: number, body: (rows: number) => void) => {
    fn.get(blockA).set(rowA).get(blockC).set(rowC);
    for (const run of runsOf(blockRows, R)) {
      fn.repeat(iCount, run.count, () => {
        body(run.size);
        fn.addTo(rowA, run.size * aRowStep).addTo(rowC, run.size * cRowStep);
      });
    }
  };
  const packPanel = (kLength: number) => {
    fn.get(colB).set(bp).get(scratch).set(ap);
    fn.repeat(kCount, kLength, () => {
      for (let v = 0; v < V; v++)
        fn.get(ap)
          .get(bp)
          .simdMem("v128.load", 16 * v)
          .simdMem("v128.store", 16 * v);
      fn.addTo(bp, bKStepInB).addTo(ap, packedStep);
    });
  };
  const eachColumnPanel = (body: (width: Width) => void, kLength: number) => {
    fn.get(kBlockB).set(colB).get(bias).set(colBias).i32(0).set(colC);
    for (const run of columnRuns) {
      fn.repeat(jCount, run.count, () => {
        if (packing && "vectors" in run.width && run.width.vectors === V) packPanel(kLength);
        body(run.width);
        const bytes = widthBytes(run.width);
        fn.addTo(colB, bytes).addTo(colC, bytes).addTo(colBias, bytes);
      });
    }
  };
  // The tile's C address is rowC + colC (colC counts bytes from the row start).
  const tileAt = (rows: number, width: Width, kb: KBlock) => {
    fn.get(rowC).get(colC).core("i32.add").set(cTile);
    tile(rows, width, kb);
  };
  // K blocks keep the K×4V panel of B within L1 (a partial sum in C is exact in f32,
  // so every element still sums k in ascending order); row blocks keep the A strip
  // of a block in L2 while every column panel passes.
  const kBlocks = runsOf(s.k, t.kBlock > 0 ? t.kBlock : s.k).flatMap((run) => Array.from({ length: run.count }, () => run.size));
  let k0 = 0;
  kBlocks.forEach((length, index) => {
    const kb: KBlock = { length, loadC: s.accumulate || index > 0, last: index === kBlocks.length - 1 };
    fn.get(a)
      .i32(k0 * aKStep)
      .core("i32.add")
      .set(blockA)
      .get(c)
      .set(blockC);
    fn.get(b)
      .i32(k0 * bKStepInB)
      .core("i32.add")
      .set(kBlockB);
    k0 += length;
    if (t.order === "rows") {
      eachRowTile(s.m, (rows) => eachColumnPanel((width) => tileAt(rows, width, kb), length));
      return;
    }
    for (const block of runsOf(s.m, blockRowsFor(s.m, R, t.rowBlock))) {
      fn.repeat(blockCount, block.count, () => {
        eachColumnPanel((width) => eachRowTile(block.size, (rows) => tileAt(rows, width, kb)), length);
        fn.addTo(blockA, block.size * aRowStep).addTo(blockC, block.size * cRowStep);
      });
    }
  });
}
