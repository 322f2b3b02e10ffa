import type { FunctionBuilder, Local } from "./function-builder.ts";
import type { ResolvedMatmul } from "./matmul-spec.ts";
import { blockRowsFor, broadcastTile, runsOf, vecMulAdd, type MatmulTuning } from "./matmul-tuning.ts";
import { activationEmitters, tempLocals } from "./activation.ts";
import { emitTransposedPack } from "./matmul-pack-transposed.ts";

/** One slice of the k range: how long, whether C holds a partial sum to resume, whether the epilogue runs. */
type KBlock = { length: number; loadC: boolean; last: boolean };

/** How an nn/tn kernel uses its scratch (the call's fifth argument), all in bytes. */
export interface BroadcastLayout {
  /** The register tile. */
  readonly rows: number;
  readonly vectors: number;
  /**
   * Full K-block × 4V panels of op(B) are copied to scratch[0, panelBytes); for nt
   * (B stored N×K) every panel is, transposed, and so is the N mod 4V remainder.
   */
  readonly packB: boolean;
  readonly panelBytes: number;
  /**
   * tn only: each row block of op(A) (A's columns, at stride lda in memory) is copied
   * once per K block to scratch[aOffset, …) as tiles of R rows: tile t at
   * t·aTileStride, k at k·4R. The tile's loads are then sequential instead of one
   * cache line per k at stride lda — at lda = 1024 floats every one of those lines
   * falls in the same L1 set. The stride has a spare cache line so the packing's
   * stores, which walk the tiles, spread over the sets too.
   */
  readonly packA: boolean;
  readonly aOffset: number;
  readonly aTileStride: number;
  /** Scratch bytes one call uses. */
  readonly bytes: number;
}

/**
 * The scratch layout and tile of a broadcast kernel; `pack`: whether the call passes
 * scratch at all (an nt kernel is a broadcast kernel only then, else matmul-dot.ts).
 */
export function broadcastLayout(s: ResolvedMatmul, t: MatmulTuning, pack: boolean): BroadcastLayout {
  const columns = pack && t.order === "columns";
  const tn = broadcastTile("tn", t);
  // A is packed only when there is a full B panel to sweep it with (dW of a 10-class layer is not worth it).
  const packA = columns && s.variant === "tn" && s.n >= 4 * tn.vectors;
  const { rows, vectors } = packA ? tn : broadcastTile("nn", t);
  const kLength = t.kBlock > 0 ? Math.min(t.kBlock, s.k) : s.k;
  const packB = columns && (s.variant === "nt" || s.n >= 4 * vectors);
  const panelBytes = packB ? kLength * 16 * vectors : 0;
  const aOffset = Math.ceil(panelBytes / 64) * 64;
  const aTileStride = packA ? kLength * 4 * rows + 64 : 0;
  const tiles = packA ? Math.ceil(blockRowsFor(s.m, rows, t.rowBlock) / rows) : 0;
  return { rows, vectors, packB, panelBytes, packA, aOffset, aTileStride, bytes: packA ? aOffset + tiles * aTileStride : panelBytes };
}

/**
 * The nn and tn kernels, and nt with scratch: op(B) rows are contiguous (nt: once
 * its panel is packed transposed), so a register tile of R rows ×
 * V·4 columns keeps R·V v128 accumulators; each k step loads V vectors of B and
 * broadcasts one A element per row (`v128.load32_splat`). Every output element is
 * the k-ascending sum acc += a·b in f32 whatever tile computes it, so splitting the
 * rows across threads cannot change a result.
 *
 * Loop nest (order "columns"): K blocks, row blocks (op(A)'s block packed to scratch
 * for tn), column panels (each packed to scratch when `pack`; nt transposes them, so
 * its sums run in ascending k too), row tiles, k. Edges
 * are separate tiles with fewer rows, fewer vectors, or scalar columns (N mod 4), all
 * generated for the constant sizes.
 */
export function emitBroadcastMatmul(fn: FunctionBuilder, s: ResolvedMatmul, t: MatmulTuning, pack: boolean): void {
  const [a, b, c, bias, scratch] = [fn.param(0), fn.param(1), fn.param(2), fn.param(3), fn.param(4)];
  // Packing copies each full K-block × 4V panel of B to `scratch` once per row block,
  // so the row tiles read it contiguously (16V bytes per k) instead of at stride ldb.
  const layout = broadcastLayout(s, t, pack);
  const packing = layout.packB;
  const packA = layout.packA;
  const packedStep = 16 * layout.vectors;
  // Byte strides of op(A) along i and k as stored, and as the tiles read it (packed: R floats per k).
  const aRowStepStored = 4 * (s.variant === "tn" ? 1 : s.lda);
  const aKStepStored = 4 * (s.variant === "tn" ? s.lda : 1);
  const aRowStep = packA ? 4 : aRowStepStored;
  const aKStep = packA ? 4 * layout.rows : aKStepStored;
  const nt = s.variant === "nt";
  // Byte strides of op(B) as stored: along k, and from one column to the next.
  const bKStepInB = nt ? 4 : 4 * s.ldb;
  const bColStep = nt ? 4 * s.ldb : 4;
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
  const rowBlockA = fn.local("i32"),
    rowBlockC = fn.local("i32");
  const bEnd = fn.local("i32"),
    aPacked = fn.local("i32"),
    packSrc = fn.local("i32"),
    packDst = fn.local("i32");
  const shuffled = nt ? Array.from({ length: 8 }, () => fn.local("v128")) : [];
  const R = layout.rows,
    V = layout.vectors;
  const acc = Array.from({ length: R }, () => Array.from({ length: V }, () => fn.local("v128")));
  const bv = Array.from({ length: V }, () => fn.local("v128"));
  const av = fn.local("v128");
  const sacc = Array.from({ length: R }, () => Array.from({ length: 3 }, () => fn.local("f32")));
  const sb = Array.from({ length: 3 }, () => fn.local("f32"));
  const sa = fn.local("f32");
  const temps = tempLocals(fn);

  /**
   * One register tile at (rowA, rowC) × (colB, colC, colBias): `rows` rows, `vectors`
   * v128 columns or `scalars` f32 columns; B read from the packed panel at byte
   * `packedAt` of scratch, or in place when null.
   */
  const tile = (rows: number, width: { vectors: number } | { scalars: number }, kb: KBlock, packedAt: number | null) => {
    const vectorTile = "vectors" in width;
    const cols = vectorTile ? width.vectors : width.scalars;
    const accOf = (r: number, v: number) => (vectorTile ? acc[r][v] : sacc[r][v]);
    const colBytes = vectorTile ? 16 : 4;
    const packed = packedAt !== null;
    const bKStep = packed ? packedStep : bKStepInB;
    fn.get(rowA).set(ap);
    if (packed) fn.get(scratch).i32(packedAt).core("i32.add").set(bp);
    else fn.get(colB).set(bp);
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
    const trips = Math.floor(kb.length / U);
    const body = () => {
      for (let u = 0; u < U; u++) step(u);
      fn.addTo(ap, U * aKStep).addTo(bp, U * bKStep);
    };
    if (trips === 1) body();
    else if (trips > 1) {
      // The loop ends on the B pointer: no counter to keep in a register.
      fn.get(bp)
        .i32(trips * U * bKStep)
        .core("i32.add")
        .set(bEnd);
      fn.loop((start) => {
        body();
        fn.get(bp).get(bEnd).core("i32.ne").brIf(start);
      });
    }
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
  const restColumns = 4 * restVectors + restScalars;
  // Each run: how many panels, their width, where its tiles read B (packed: an offset
  // in scratch), and how many columns to pack first (nt packs the remainder once, at its first run).
  type Run = { count: number; width: Width; packedAt: number | null; pack: number };
  const columnRuns: Run[] = (
    [
      { count: fullPanels, width: { vectors: V }, packedAt: packing ? 0 : null, pack: packing ? panelCols : 0 },
      { count: restVectors > 0 ? 1 : 0, width: { vectors: restVectors }, packedAt: nt ? 0 : null, pack: nt ? restColumns : 0 },
      { count: restScalars > 0 ? 1 : 0, width: { scalars: restScalars }, packedAt: nt ? 16 * restVectors : null, pack: nt && restVectors === 0 ? restColumns : 0 },
    ] satisfies Run[]
  ).filter((run) => run.count > 0);

  /** The row tiles of a block of `blockRows` rows starting at (blockA, blockC). */
  const eachRowTile = (blockRows: number, body: (rows: number) => void) => {
    fn.get(packA ? aPacked : blockA)
      .set(rowA)
      .get(blockC)
      .set(rowC);
    for (const run of runsOf(blockRows, R)) {
      fn.repeat(iCount, run.count, () => {
        body(run.size);
        fn.addTo(rowA, packA ? layout.aTileStride : run.size * aRowStep).addTo(rowC, run.size * cRowStep);
      });
    }
  };
  /** Copies `floats` contiguous floats from packSrc to packDst (v128, then i64, then f32). */
  const copyFloats = (floats: number) => {
    let at = 0;
    for (const [width, load, store] of [
      [4, "v128.load", "v128.store"],
      [2, "i64.load", "i64.store"],
      [1, "f32.load", "f32.store"],
    ] as const) {
      for (; floats - at >= width; at += width) {
        fn.get(packDst).get(packSrc);
        if (width === 4) fn.simdMem(load as "v128.load", 4 * at).simdMem(store as "v128.store", 4 * at);
        else fn.mem(load as "i64.load" | "f32.load", 4 * at).mem(store as "i64.store" | "f32.store", 4 * at);
      }
    }
  };
  /** tn: the block's rows of op(A) (contiguous in A for each k) into R-row tiles in scratch, k-major within a tile. */
  const packABlock = (blockRows: number, kLength: number) => {
    fn.get(blockA).set(ap).get(aPacked).set(bp);
    fn.repeat(kCount, kLength, () => {
      fn.get(ap).set(packSrc).get(bp).set(packDst);
      for (const run of runsOf(blockRows, R)) {
        fn.repeat(iCount, run.count, () => {
          copyFloats(run.size);
          fn.addTo(packSrc, 4 * run.size).addTo(packDst, layout.aTileStride);
        });
      }
      fn.addTo(ap, aKStepStored).addTo(bp, 4 * R);
    });
  };
  const packPanel = (kLength: number, columns: number) => {
    if (nt) {
      emitTransposedPack(fn, { src: colB, dst: scratch, columns, kLength, columnStep: bColStep, rowBytes: packedStep }, shuffled, packSrc, packDst, kCount);
      return;
    }
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
  const eachColumnPanel = (body: (run: Run) => void, kLength: number) => {
    fn.get(kBlockB).set(colB).get(bias).set(colBias).i32(0).set(colC);
    for (const run of columnRuns) {
      fn.repeat(jCount, run.count, () => {
        if (run.pack > 0) packPanel(kLength, run.pack);
        body(run);
        const bytes = widthBytes(run.width);
        fn.addTo(colB, (bytes / 4) * bColStep)
          .addTo(colC, bytes)
          .addTo(colBias, bytes);
      });
    }
  };
  // The tile's C address is rowC + colC (colC counts bytes from the row start).
  const tileAt = (rows: number, run: Run, kb: KBlock) => {
    fn.get(rowC).get(colC).core("i32.add").set(cTile);
    tile(rows, run.width, kb, run.packedAt);
  };
  // K blocks keep the K×4V panel of B within L1 (a partial sum in C is exact in f32,
  // so every element still sums k in ascending order); row blocks keep the A strip
  // of a block in L2 while every column panel passes.
  const kBlocks = runsOf(s.k, t.kBlock > 0 ? t.kBlock : s.k).flatMap((run) => Array.from({ length: run.count }, () => run.size));
  const kBlockOf = (index: number): KBlock => ({ length: kBlocks[index], loadC: s.accumulate || index > 0, last: index === kBlocks.length - 1 });
  /** blockA, blockC and kBlockB at k0 of the row block starting at (rowsA, rowsC). */
  const enterKBlock = (rowsA: Local, rowsC: Local, k0: number) => {
    fn.get(rowsA)
      .i32(k0 * aKStepStored)
      .core("i32.add")
      .set(blockA)
      .get(rowsC)
      .set(blockC);
    fn.get(b)
      .i32(k0 * bKStepInB)
      .core("i32.add")
      .set(kBlockB);
  };
  if (packA) fn.get(scratch).i32(layout.aOffset).core("i32.add").set(aPacked);
  if (t.order === "rows") {
    let k0 = 0;
    kBlocks.forEach((length, index) => {
      enterKBlock(a, c, k0);
      k0 += length;
      eachRowTile(s.m, (rows) => eachColumnPanel((run) => tileAt(rows, run, kBlockOf(index)), length));
    });
    return;
  }
  const rowBlocks = runsOf(s.m, blockRowsFor(s.m, R, t.rowBlock));
  if (s.variant === "tn") {
    // tn: K blocks outside row blocks, so B's K block (dz's rows for 256 samples) stays in
    // L2 while every row block of xᵀ passes (row blocks outside measured 2–10% slower).
    let k0 = 0;
    kBlocks.forEach((length, index) => {
      enterKBlock(a, c, k0);
      k0 += length;
      for (const block of rowBlocks) {
        fn.repeat(blockCount, block.count, () => {
          if (packA) packABlock(block.size, length);
          eachColumnPanel((run) => eachRowTile(block.size, (rows) => tileAt(rows, run, kBlockOf(index))), length);
          fn.addTo(blockA, block.size * aRowStepStored).addTo(blockC, block.size * cRowStep);
        });
      }
    });
    return;
  }
  // nn/nt: row blocks outside K blocks, so a row block's C (≤ rowBlock rows) stays in L2
  // while its K blocks pass; all of C (1 MB for x·W1 at batch 1000) would otherwise be
  // streamed once per K block (5–11% faster there).
  fn.get(a).set(rowBlockA).get(c).set(rowBlockC);
  for (const block of rowBlocks) {
    fn.repeat(blockCount, block.count, () => {
      let k0 = 0;
      kBlocks.forEach((length, index) => {
        enterKBlock(rowBlockA, rowBlockC, k0);
        k0 += length;
        if (packA) packABlock(block.size, length);
        eachColumnPanel((run) => eachRowTile(block.size, (rows) => tileAt(rows, run, kBlockOf(index))), length);
      });
      fn.addTo(rowBlockA, block.size * aRowStepStored).addTo(rowBlockC, block.size * cRowStep);
    });
  }
}
