import type { FunctionBuilder, Local } from "./function-builder.ts";

/** Where a transposed panel comes from and goes to; every size a constant. */
export interface TransposedPanel {
  /** Byte address of the panel's first column of op(B) in memory: row j of the stored B (N×K) at its K block's first k. */
  readonly src: Local;
  /** Byte address of the packed panel (k-major: row k at k·rowBytes, column j at 4j). */
  readonly dst: Local;
  /** Columns of op(B) in the panel (rows of the stored B). */
  readonly columns: number;
  /** k steps in the panel (its K block). */
  readonly kLength: number;
  /** Bytes between consecutive rows of the stored B (4·ldb). */
  readonly columnStep: number;
  /** Bytes per k row of the packed panel (16·vectors). */
  readonly rowBytes: number;
}

/** Lane pairs of i8x16.shuffle for 32-bit lanes: result lane i is lane `lanes[i]` of a‖b (0–3 from a, 4–7 from b). */
const lanes32 = (lanes: readonly number[]) => lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
const LOW_PAIRS = lanes32([0, 4, 1, 5]);
const HIGH_PAIRS = lanes32([2, 6, 3, 7]);
const LOW_HALVES = lanes32([0, 1, 4, 5]);
const HIGH_HALVES = lanes32([2, 3, 6, 7]);

/**
 * Copies a K block × `columns` panel of op(B) = Bᵀ, where B is stored N×K (the nt
 * matmul A·Bᵀ, e.g. dX = dz·Wᵀ), into the k-major layout the broadcast kernel reads:
 * one row of `columns` floats per k. Four columns × four k at a time as a 4×4
 * transpose of v128 loads (8 shuffles), the k mod 4 rows and the columns mod 4 one
 * float at a time. `src` and `dst` are left as they were; `v` are 8 v128 temporaries and
 * `p`, `q`, `count` i32 temporaries.
 */
export function emitTransposedPack(fn: FunctionBuilder, panel: TransposedPanel, v: readonly Local[], p: Local, q: Local, count: Local): void {
  const { src, dst, columns, kLength, columnStep, rowBytes } = panel;
  const quads = Math.floor(columns / 4);
  const kQuads = Math.floor(kLength / 4);
  const kTail = kLength % 4;
  for (let g = 0; g < quads; g++) {
    // p walks the group's four stored rows along k, q the packed rows.
    fn.get(src)
      .i32(4 * g * columnStep)
      .core("i32.add")
      .set(p)
      .get(dst)
      .i32(16 * g)
      .core("i32.add")
      .set(q);
    fn.repeat(count, kQuads, () => {
      for (let r = 0; r < 4; r++)
        fn.get(p)
          .simdMem("v128.load", r * columnStep)
          .set(v[r]);
      fn.get(v[0]).get(v[1]).shuffle(LOW_PAIRS).set(v[4]);
      fn.get(v[0]).get(v[1]).shuffle(HIGH_PAIRS).set(v[5]);
      fn.get(v[2]).get(v[3]).shuffle(LOW_PAIRS).set(v[6]);
      fn.get(v[2]).get(v[3]).shuffle(HIGH_PAIRS).set(v[7]);
      const rows = [
        [v[4], v[6], LOW_HALVES],
        [v[4], v[6], HIGH_HALVES],
        [v[5], v[7], LOW_HALVES],
        [v[5], v[7], HIGH_HALVES],
      ] as const;
      rows.forEach(([x, y, lanes], k) => {
        fn.get(q)
          .get(x)
          .get(y)
          .shuffle(lanes)
          .simdMem("v128.store", k * rowBytes);
      });
      fn.addTo(p, 16).addTo(q, 4 * rowBytes);
    });
    for (let k = 0; k < kTail; k++)
      for (let r = 0; r < 4; r++)
        fn.get(q)
          .get(p)
          .mem("f32.load", r * columnStep + 4 * k)
          .mem("f32.store", k * rowBytes + 4 * r);
  }
  for (let j = 4 * quads; j < columns; j++) {
    fn.get(src)
      .i32(j * columnStep)
      .core("i32.add")
      .set(p)
      .get(dst)
      .i32(4 * j)
      .core("i32.add")
      .set(q);
    fn.repeat(count, kLength, () => {
      fn.get(q).get(p).mem("f32.load").mem("f32.store");
      fn.addTo(p, 4).addTo(q, rowBytes);
    });
  }
}
