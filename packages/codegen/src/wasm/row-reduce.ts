import { FunctionBuilder } from "./function-builder.ts";

/**
 * out[i] = scale · reduce_j in[i·ld + j] for each of `rows` rows, reduce ∈ {sum, max}:
 * per-row totals such as softmax denominators or the row max subtracted before exp.
 * Called as `(outOffset, inOffset)`. Vectorized along the row with two v128
 * accumulators (lane l of accumulator q takes j ≡ 4q + l mod 8), combined as
 * ((a0+b0) + (a1+b1)) + ((a2+b2) + (a3+b3)), then the row's last cols mod 8
 * elements in order — a fixed order, the same for every row.
 */
export interface RowReduceSpec {
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  readonly ld?: number;
  readonly op: "sum" | "max";
  readonly scale?: number;
}

const reduceOps = {
  sum: { vector: "f32x4.add", scalar: "f32.add", identity: 0 },
  max: { vector: "f32x4.max", scalar: "f32.max", identity: -Infinity },
} as const;

export function rowReduceFunction(spec: RowReduceSpec): FunctionBuilder {
  const ld = spec.ld ?? spec.cols;
  if (!(Number.isInteger(spec.rows) && spec.rows >= 1 && Number.isInteger(spec.cols) && spec.cols >= 1 && ld >= spec.cols)) {
    throw new RangeError(`row reduce ${JSON.stringify(spec.name)}: need rows, cols ≥ 1 and ld ≥ cols; got rows=${spec.rows} cols=${spec.cols} ld=${ld}`);
  }
  const op = reduceOps[spec.op];
  if (!op) throw new RangeError(`row reduce ${JSON.stringify(spec.name)}: op must be "sum" or "max", got ${JSON.stringify(spec.op)}`);
  const fn = new FunctionBuilder(["i32", "i32"]);
  const [out, input] = [fn.param(0), fn.param(1)];
  const row = fn.local("i32"), p = fn.local("i32"), o = fn.local("i32"), rowCount = fn.local("i32"), colCount = fn.local("i32");
  const acc = [fn.local("v128"), fn.local("v128")];
  const total = fn.local("f32");
  const pairs = Math.floor(spec.cols / 8);
  const tail = spec.cols % 8;

  fn.get(input).set(row).get(out).set(o);
  fn.repeat(rowCount, spec.rows, () => {
    fn.get(row).set(p);
    for (const a of acc) fn.f32x4(op.identity).set(a);
    fn.repeat(colCount, pairs, () => {
      acc.forEach((a, q) => { fn.get(a).get(p).simdMem("v128.load", 16 * q).simd(op.vector).set(a); });
      fn.addTo(p, 32);
    });
    fn.get(acc[0]).get(acc[1]).simd(op.vector).set(acc[0]);
    fn.get(acc[0]).lane("f32x4.extract_lane", 0).get(acc[0]).lane("f32x4.extract_lane", 1).core(op.scalar);
    fn.get(acc[0]).lane("f32x4.extract_lane", 2).get(acc[0]).lane("f32x4.extract_lane", 3).core(op.scalar);
    fn.core(op.scalar).set(total);
    for (let t = 0; t < tail; t++) fn.get(total).get(p).mem("f32.load", 4 * t).core(op.scalar).set(total);
    fn.get(o).get(total);
    if ((spec.scale ?? 1) !== 1) fn.f32(spec.scale ?? 1).core("f32.mul");
    fn.mem("f32.store");
    fn.addTo(row, 4 * ld).addTo(o, 4);
  });
  return fn;
}
