import { FunctionBuilder } from "./function-builder.ts";
import { runsOf } from "./matmul-tuning.ts";

/**
 * out[j] = scale · Σ_i in[i·ld + j] (+ out[j] if accumulate): the column sums of a
 * rows×cols matrix, i.e. a bias gradient summed over the batch. Vectorized across
 * columns (panels of 4 v128 = 16 columns, then single vectors, then scalar columns),
 * summing rows in ascending order. Called as `(outOffset, inOffset)`.
 */
export interface ColumnSumSpec {
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  /** Row stride of the input in elements (default cols). */
  readonly ld?: number;
  readonly scale?: number;
  readonly accumulate?: boolean;
}

export function columnSumFunction(spec: ColumnSumSpec): FunctionBuilder {
  const ld = spec.ld ?? spec.cols;
  if (!(Number.isInteger(spec.rows) && spec.rows >= 1 && Number.isInteger(spec.cols) && spec.cols >= 1 && ld >= spec.cols)) {
    throw new RangeError(`column sum ${JSON.stringify(spec.name)}: need rows, cols ≥ 1 and ld ≥ cols; got rows=${spec.rows} cols=${spec.cols} ld=${ld}`);
  }
  const fn = new FunctionBuilder(["i32", "i32"]);
  const [out, input] = [fn.param(0), fn.param(1)];
  const col = fn.local("i32"), p = fn.local("i32"), rowCount = fn.local("i32"), colCount = fn.local("i32");
  const PANEL = 4;
  const acc = Array.from({ length: PANEL }, () => fn.local("v128"));
  const sacc = fn.local("f32");
  const scale = spec.scale ?? 1;

  /** `width` vectors (or one scalar column when width is 0) starting at byte column `col`. */
  const panel = (width: number) => {
    const vector = width > 0;
    fn.get(input).get(col).core("i32.add").set(p);
    if (vector) for (let v = 0; v < width; v++) fn.f32x4(0).set(acc[v]);
    else fn.f32(0).set(sacc);
    fn.repeat(rowCount, spec.rows, () => {
      if (vector) for (let v = 0; v < width; v++) fn.get(acc[v]).get(p).simdMem("v128.load", 16 * v).simd("f32x4.add").set(acc[v]);
      else fn.get(sacc).get(p).mem("f32.load").core("f32.add").set(sacc);
      fn.addTo(p, 4 * ld);
    });
    const lanes = vector ? width : 1;
    for (let v = 0; v < lanes; v++) {
      fn.get(out).get(col).core("i32.add");
      if (vector) {
        fn.get(acc[v]);
        if (scale !== 1) fn.f32x4(scale).simd("f32x4.mul");
        if (spec.accumulate) fn.get(out).get(col).core("i32.add").simdMem("v128.load", 16 * v).simd("f32x4.add");
        fn.simdMem("v128.store", 16 * v);
      } else {
        fn.get(sacc);
        if (scale !== 1) fn.f32(scale).core("f32.mul");
        if (spec.accumulate) fn.get(out).get(col).core("i32.add").mem("f32.load").core("f32.add");
        fn.mem("f32.store");
      }
    }
  };

  fn.i32(0).set(col);
  const vectors = Math.floor(spec.cols / 4);
  for (const run of runsOf(vectors, PANEL)) {
    fn.repeat(colCount, run.count, () => {
      panel(run.size);
      fn.addTo(col, 16 * run.size);
    });
  }
  for (let t = 0; t < spec.cols % 4; t++) {
    panel(0);
    fn.addTo(col, 4);
  }
  return fn;
}
