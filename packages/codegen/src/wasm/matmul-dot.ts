import type { FunctionBuilder } from "./function-builder.ts";
import type { ResolvedMatmul } from "./matmul-spec.ts";
import { blockRowsFor, runsOf, vecMulAdd, type MatmulTuning } from "./matmul-tuning.ts";
import { activationEmitters, tempLocals } from "./activation.ts";

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

  const colB = fn.local("i32"),
    colC = fn.local("i32"),
    colBias = fn.local("i32");
  const rowA = fn.local("i32"),
    rowC = fn.local("i32"),
    cTile = fn.local("i32");
  const blockA = fn.local("i32"),
    blockC = fn.local("i32"),
    blockCount = fn.local("i32");
  const ap = fn.local("i32"),
    bp = fn.local("i32");
  const jCount = fn.local("i32"),
    iCount = fn.local("i32"),
    kCount = fn.local("i32");
  const R = t.ntRows,
    Q = t.ntCols;
  const acc = Array.from({ length: R }, () => Array.from({ length: Q }, () => fn.local("v128")));
  const bv = Array.from({ length: Q }, () => fn.local("v128"));
  const av = fn.local("v128");
  const sum = fn.local("f32");
  const temps = tempLocals(fn);

  const tile = (rows: number, cols: number) => {
    fn.get(rowA).set(ap).get(colB).set(bp);
    for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) fn.f32x4(0).set(acc[r][q]);
    const step = (u: number) => {
      for (let q = 0; q < cols; q++)
        fn.get(bp)
          .simdMem("v128.load", u * 16 + q * bRowStep)
          .set(bv[q]);
      for (let r = 0; r < rows; r++) {
        fn.get(ap)
          .simdMem("v128.load", u * 16 + r * aRowStep)
          .set(av);
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
        fn.get(cTile);
        if (s.accumulate)
          fn.get(cTile)
            .mem("f32.load", r * cRowStep + 4 * q)
            .get(sum)
            .core("f32.add");
        else fn.get(sum);
        if (s.bias)
          fn.get(colBias)
            .mem("f32.load", 4 * q)
            .core("f32.add");
        temps.reset();
        activationEmitters[s.activation](fn, false, temps.temp("f32"));
        fn.mem("f32.store", r * cRowStep + 4 * q);
      }
    }
  };

  const eachRowTile = (blockRows: number, body: (rows: number) => void) => {
    fn.get(blockA).set(rowA).get(blockC).set(rowC);
    for (const run of runsOf(blockRows, R)) {
      fn.repeat(iCount, run.count, () => {
        body(run.size);
        fn.addTo(rowA, run.size * aRowStep).addTo(rowC, run.size * cRowStep);
      });
    }
  };
  const eachColumnPanel = (body: (cols: number) => void) => {
    fn.get(b).set(colB).get(bias).set(colBias).i32(0).set(colC);
    for (const run of runsOf(s.n, Q)) {
      fn.repeat(jCount, run.count, () => {
        body(run.size);
        fn.addTo(colB, run.size * bRowStep)
          .addTo(colC, 4 * run.size)
          .addTo(colBias, 4 * run.size);
      });
    }
  };
  // The tile's C address is rowC + colC (colC counts bytes from the row start).
  const tileAt = (rows: number, cols: number) => {
    fn.get(rowC).get(colC).core("i32.add").set(cTile);
    tile(rows, cols);
  };
  // Row blocks keep the A strip of a block in L1/L2 while all of B streams past.
  fn.get(a).set(blockA).get(c).set(blockC);
  for (const block of runsOf(s.m, blockRowsFor(s.m, R, t.rowBlock))) {
    fn.repeat(blockCount, block.count, () => {
      eachColumnPanel((cols) => eachRowTile(block.size, (rows) => tileAt(rows, cols)));
      fn.addTo(blockA, block.size * aRowStep).addTo(blockC, block.size * cRowStep);
    });
  }
}
