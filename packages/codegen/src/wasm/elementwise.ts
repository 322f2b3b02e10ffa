import type { AnyTensor, OpKind } from "@gradfold/graph";
import type { BoundShapes } from "../lower/shapes.ts";
import { scalarLiteral } from "../js/kernel-source.ts";
import { tempLocals } from "./activation.ts";
import { emitExp, emitExpm1, emitLog, emitLog1p, emitSigmoid, emitSoftplus, emitTanh, type Temp } from "./exp-approx.ts";
import { FunctionBuilder, type Local } from "./function-builder.ts";

/**
 * Elementwise chains as Wasm SIMD loops, four f32 lanes at a time: the optimizer
 * updates fused after a matmul (SGD, Adam over a whole weight) are the bulk of the
 * non-matmul work, and run ~4× faster this way than in JS. Only chains whose every
 * operand is the full shape (read at the same index), a row (a bias, when rows are
 * whole vectors), one value per row (a softmax gradient's upstream, [rows, 1]) or one
 * element, of ops with an exact f32x4 form, over a multiple of 4 elements or with a
 * per-row operand (then each row ends with a partial vector); anything else stays JS.
 */
export type Push = () => void;
/** Pushes the op's f32x4 result; `temp` hands out v128 locals free for the rule's own use. */
type SimdRule = (fn: FunctionBuilder, args: readonly Push[], temp: Temp) => void;

/** A transcendental function from exp-approx.ts, applied to the lane vector on the stack. */
const approx =
  (emit: (fn: FunctionBuilder, vector: boolean, temp: Temp) => void): SimdRule =>
  (fn, [a], temp) => {
    a();
    emit(fn, true, temp);
  };

const binary =
  (name: "f32x4.add" | "f32x4.mul" | "f32x4.div" | "f32x4.max" | "f32x4.min"): SimdRule =>
  (fn, [a, b]) => {
    a();
    b();
    fn.simd(name);
  };
const unary =
  (name: "f32x4.neg" | "f32x4.abs" | "f32x4.sqrt"): SimdRule =>
  (fn, [a]) => {
    a();
    fn.simd(name);
  };

/** Ops with an f32x4 form whose semantics match the reference (NaN included). */
export const simdRules: Partial<{ readonly [K in OpKind]: SimdRule }> = {
  add: binary("f32x4.add"),
  mul: binary("f32x4.mul"),
  div: binary("f32x4.div"),
  // f32x4.max/min return NaN when either lane is NaN, like Math.max/min.
  maximum: binary("f32x4.max"),
  minimum: binary("f32x4.min"),
  neg: unary("f32x4.neg"),
  abs: unary("f32x4.abs"),
  sqrt: unary("f32x4.sqrt"),
  reciprocal: (fn, [a]) => {
    fn.f32x4(1);
    a();
    fn.simd("f32x4.div");
  },
  rsqrt: (fn, [a]) => {
    fn.f32x4(1);
    a();
    fn.simd("f32x4.sqrt").simd("f32x4.div");
  },
  // The reference relu is Math.max(x, 0): NaN stays NaN (pmax would give 0 and hide it)
  // and max(−0, 0) is +0; f32x4.max does both.
  relu: (fn, [a]) => {
    a();
    fn.f32x4(0);
    fn.simd("f32x4.max");
  },
  // A few f32 ulps (see exp-approx.ts); ±Inf, ±0, denormals and NaN as the reference.
  exp: approx(emitExp),
  log: approx(emitLog),
  sigmoid: approx(emitSigmoid),
  tanh: approx(emitTanh),
  softplus: approx(emitSoftplus),
  log1p: approx(emitLog1p),
  expm1: approx(emitExpm1),
  stopGradient: (_, [a]) => a(),
  broadcastTo: (_, [a]) => a(),
  // Comparisons give all-ones lanes; bool values are stored as int32 0/1, so mask with 1.
  greater: compare("f32x4.gt"),
  less: compare("f32x4.lt"),
  equal: compare("f32x4.eq"),
  // A bool lane (int32 0 or 1) as a mask: its bits read as f32 are 0 or the smallest
  // subnormal, so "> 0" is exact; then bitselect(a, b, mask).
  where: (fn, [c, a, b]) => {
    a();
    b();
    c();
    fn.f32x4(0).simd("f32x4.gt").simd("v128.bitselect");
  },
};

/** f32 whose bit pattern is the int32 1: AND-ing a comparison mask with it gives 0/1 ints. */
const INT_ONE_AS_F32 = 1.401298464324817e-45;

function compare(name: "f32x4.gt" | "f32x4.lt" | "f32x4.eq"): SimdRule {
  return (fn, [a, b]) => {
    a();
    b();
    fn.simd(name).f32x4(INT_ONE_AS_F32).simd("v128.and");
  };
}

const producesBool = new Set<OpKind>(["greater", "less", "equal"]);

export interface WasmElementwisePlan {
  readonly exportName: string;
  readonly count: number;
  /** Elements per row of the loop shape: row operands (a bias) restart every `cols`. */
  readonly cols: number;
  readonly nodes: readonly AnyTensor[];
  /** Pointer parameters: the entry value (a matmul product in scratch) first, then loads, then stores. */
  readonly arrays: readonly AnyTensor[];
  /** Loads broadcast along rows (shape [..., cols] read again for every row). */
  readonly rows: readonly AnyTensor[];
  /** Loads with one value per row (shape [..., rows, 1]), splat across the row. */
  readonly perRow: readonly AnyTensor[];
  readonly stores: readonly AnyTensor[];
  /** One-element operands, passed as f32 parameters and splat once. */
  readonly scalars: readonly AnyTensor[];
}

/**
 * A plan when the chain qualifies (see above), else null. `entry` is a value the
 * caller supplies (the matmul); `shape` is the loop's shape.
 */
export function planWasmElementwise(
  exportName: string,
  nodes: readonly AnyTensor[],
  entry: AnyTensor | null,
  shape: readonly number[],
  shapes: BoundShapes,
  stored: ReadonlySet<AnyTensor>,
): WasmElementwisePlan | null {
  const count = shape.reduce((a, b) => a * b, 1);
  const cols = shape.length > 0 ? shape[shape.length - 1] : 1;
  if (count === 0) return null;
  const inside = new Set(nodes);
  const loads: AnyTensor[] = [];
  const rows: AnyTensor[] = [];
  const perRow: AnyTensor[] = [];
  const scalars: AnyTensor[] = [];
  /** x's shape is the loop's with the last axis 1 (leading 1s aside): one value per row. */
  const isPerRow = (x: AnyTensor) => {
    const s = shapes.of(x);
    if (cols < 2 || s.length === 0 || s[s.length - 1] !== 1 || s.length > shape.length) return false;
    const lead = shape.length - s.length;
    return shape.slice(0, lead).every((d) => d === 1) && s.slice(0, -1).every((d, i) => d === shape[lead + i]);
  };
  const isRow = (x: AnyTensor) => {
    const s = shapes.of(x);
    return cols % 4 === 0 && shapes.count(x) === cols && s.length >= 1 && s[s.length - 1] === cols;
  };
  for (const node of nodes) {
    const dtypeOk = node.dtype === "float32" || (node.dtype === "bool" && producesBool.has(node.op));
    if (!simdRules[node.op] || !dtypeOk || shapes.count(node) !== count) return null;
    for (const x of node.inputs) {
      if (inside.has(x) || x === entry || loads.includes(x) || rows.includes(x) || scalars.includes(x) || scalarLiteral(x, shapes) !== null) continue;
      if (x.dtype === "int32") return null;
      const n = shapes.count(x);
      if (n === 1) scalars.push(x);
      else if (n === count) loads.push(x);
      else if (isRow(x)) rows.push(x);
      else if (isPerRow(x)) perRow.push(x);
      else return null;
    }
  }
  // Without a per-row operand the loop is whole vectors; with one it goes row by row, each
  // row's last cols mod 4 elements as a partial vector.
  if (perRow.length === 0 && count % 4 !== 0) return null;
  if (perRow.length > 0 && rows.length > 0 && cols % 4 !== 0) return null;
  const stores = nodes.filter((n) => stored.has(n));
  return { exportName, count, cols, nodes, arrays: [...(entry ? [entry] : []), ...loads, ...rows, ...perRow, ...stores], rows, perRow, stores, scalars };
}

/**
 * A column sum feeding the chain's entry: the entry's pointer is then the first row of
 * the summed matrix (`rows` rows of the chain's count), and each vector of the entry is
 * the sum down its four columns, in float64 and in row order like the reference.
 */
export interface ColumnSumEntry {
  readonly rows: number;
  /** Floats from one row to the next (default the chain's count; more in a chunk of the columns). */
  readonly stride?: number;
}

const LOW_BYTES = [0, 1, 2, 3, 4, 5, 6, 7];
const HIGH_BYTES = [8, 9, 10, 11, 12, 13, 14, 15];

/**
 * `(pointers..., scalars...) -> ()`: a loop over count/4 vectors (rows × cols/4 when a
 * row operand restarts each row or a per-row operand is splat for each; then a row's
 * cols mod 4 tail is one partial vector: its lanes loaded one by one, the chain run
 * on all four, the valid lanes stored), all loads of a vector before its stores.
 */
export function buildWasmElementwise(plan: WasmElementwisePlan, shapes: BoundShapes, columnSum?: ColumnSumEntry): FunctionBuilder {
  const fn = new FunctionBuilder([...plan.arrays.map(() => "i32" as const), ...plan.scalars.map(() => "f32" as const)]);
  const pointer = new Map(plan.arrays.map((x, i) => [x, fn.param(i)]));
  // Row operands walk a cursor that restarts from the parameter every row.
  const cursor = new Map(plan.rows.map((x) => [x, fn.local("i32")]));
  const splat = new Map<AnyTensor, Local>();
  plan.scalars.forEach((x, i) => {
    const l = fn.local("v128");
    fn.get(fn.param(plan.arrays.length + i))
      .simd("f32x4.splat")
      .set(l);
    splat.set(x, l);
  });
  const temps = tempLocals(fn);
  const temp = temps.temp("v128");
  const value = new Map<AnyTensor, Local>();
  // Per-row operands: a pointer walking one float per row, splat into a local per row.
  const rowValue = new Map(plan.perRow.map((x) => [x, fn.local("v128")]));
  /** The partial vector of a row's tail, per full-shape load (and the entry), while it is emitted. */
  const partial = new Map<AnyTensor, Local>();
  const push =
    (x: AnyTensor): Push =>
    () => {
      const local = value.get(x) ?? splat.get(x) ?? rowValue.get(x) ?? partial.get(x);
      if (local) fn.get(local);
      else if (cursor.has(x)) fn.get(cursor.get(x)!).simdMem("v128.load", 0);
      else if (pointer.has(x)) fn.get(pointer.get(x)!).simdMem("v128.load", 0);
      else fn.f32x4(Number(scalarLiteral(x, shapes)!.replace(/[()]/g, "")));
    };
  for (const node of plan.nodes) value.set(node, fn.local("v128"));
  const entry = columnSum ? plan.arrays[0] : undefined;
  const sumDown = entry && columnSum ? columnSumEmitter(fn, pointer.get(entry)!, columnSum.rows, columnSum.stride ?? plan.count) : undefined;
  if (entry && sumDown) value.set(entry, sumDown.result);
  const vector = () => {
    sumDown?.emit();
    for (const node of plan.nodes) {
      temps.reset();
      simdRules[node.op]!(fn, node.inputs.map(push), temp);
      fn.set(value.get(node)!);
    }
    for (const node of plan.stores) fn.get(pointer.get(node)!).get(value.get(node)!).simdMem("v128.store", 0);
    for (const [x, p] of pointer) if (!cursor.has(x) && !rowValue.has(x)) fn.addTo(p, 16);
    for (const c of cursor.values()) fn.addTo(c, 16);
  };
  /** The last `lanes` (< 4) elements of a row: lane by lane in, the chain on the vector, lane by lane out. */
  const tailVector = (lanes: number) => {
    for (const [x, p] of pointer) {
      if (cursor.has(x) || rowValue.has(x) || plan.stores.includes(x)) continue;
      const local = fn.local("v128");
      fn.get(p).simdMem("v128.load32_zero", 0);
      for (let l = 1; l < lanes; l++)
        fn.get(p)
          .mem("f32.load", 4 * l)
          .lane("f32x4.replace_lane", l);
      fn.set(local);
      partial.set(x, local);
    }
    for (const node of plan.nodes) {
      temps.reset();
      simdRules[node.op]!(fn, node.inputs.map(push), temp);
      fn.set(value.get(node)!);
    }
    for (const node of plan.stores)
      for (let l = 0; l < lanes; l++)
        fn.get(pointer.get(node)!)
          .get(value.get(node)!)
          .storeLane("v128.store32_lane", 4 * l, l);
    for (const [x, p] of pointer) if (!cursor.has(x) && !rowValue.has(x)) fn.addTo(p, 4 * lanes);
    partial.clear();
  };
  if (plan.rows.length === 0 && plan.perRow.length === 0) fn.repeat(fn.local("i32"), plan.count / 4, vector);
  else {
    const inner = fn.local("i32");
    fn.repeat(fn.local("i32"), plan.count / plan.cols, () => {
      for (const [x, c] of cursor) fn.get(pointer.get(x)!).set(c);
      for (const [x, l] of rowValue) {
        fn.get(pointer.get(x)!).simdMem("v128.load32_splat", 0).set(l);
        fn.addTo(pointer.get(x)!, 4);
      }
      fn.repeat(inner, Math.floor(plan.cols / 4), vector);
      if (plan.cols % 4 > 0) tailVector(plan.cols % 4);
    });
  }
  return fn;
}

/**
 * Sums `rows` rows of four floats, `stride` floats apart, from `first` on: two f64x2
 * accumulators (low and high lanes) added in row order, then rounded once to f32.
 */
function columnSumEmitter(fn: FunctionBuilder, first: Local, rows: number, stride: number): { result: Local; emit(): void } {
  const result = fn.local("v128");
  const low = fn.local("v128");
  const high = fn.local("v128");
  const at = fn.local("i32");
  const counter = fn.local("i32");
  const emit = () => {
    fn.f32x4(0).set(low);
    fn.f32x4(0).set(high);
    fn.get(first).set(at);
    fn.repeat(counter, rows, () => {
      fn.get(low).get(at).simdMem("v128.load", 0).simd("f64x2.promote_low_f32x4").simd("f64x2.add").set(low);
      fn.get(high)
        .get(at)
        .simdMem("v128.load", 0)
        .get(at)
        .simdMem("v128.load", 0)
        .shuffle([...HIGH_BYTES, ...HIGH_BYTES]);
      fn.simd("f64x2.promote_low_f32x4").simd("f64x2.add").set(high);
      fn.addTo(at, 4 * stride);
    });
    fn.get(low)
      .simd("f32x4.demote_f64x2_zero")
      .get(high)
      .simd("f32x4.demote_f64x2_zero")
      .shuffle([...LOW_BYTES, ...LOW_BYTES.map((b) => b + 16)]);
    fn.set(result);
  };
  return { result, emit };
}
