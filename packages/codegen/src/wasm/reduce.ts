import type { AnyTensor } from "@gradfold/graph";
import { cannot, isCannot, type Cannot } from "../host/backend.ts";
import { kernelSource, scalarLiteral, type KernelEnv, type KernelSource } from "../js/kernel-source.ts";
import type { ReductionKernel } from "../lower/kernel.ts";
import type { BoundShapes } from "../lower/shapes.ts";
import { lowerColumnReduction } from "./column-reduce.ts";
import { simdRules, type Push } from "./elementwise.ts";
import { reductionFunction } from "./reduction-function.ts";
import { HIGH_BYTES, LOW_BYTES, addLanes, pushLaneTotal } from "./f64-sum.ts";
import type { FunctionBuilder } from "./function-builder.ts";
import type { UnitLoop } from "./loop-split.ts";

/**
 * sum and max over trailing axes (a whole tensor to a scalar — a loss mean —, or each
 * row), with an elementwise prologue on the operand and an epilogue on each result,
 * as a Wasm SIMD kernel. Per row: the prologue four lanes at a time, then the < 4 tail
 * elements (splat, lane 0 used); sums accumulate in float64: lanes 0+2 and 1+3 then
 * their sum, then the tail in order (so a sum that cancels catastrophically can differ
 * from the reference's strictly sequential order in float64's last bits); max is
 * order-free (NaN propagates, max(−0, +0) = +0, an empty max is −Inf). The epilogue
 * runs on the result splat into four lanes with the elementwise loop's f32x4 rules,
 * and lane 0 is stored.
 */
interface ReducePlan {
  readonly rows: number;
  readonly cols: number;
  /** Operands read at every element of the reduced operand (its full shape), and one per row. */
  readonly full: readonly AnyTensor[];
  readonly perRow: readonly AnyTensor[];
  readonly scalars: readonly AnyTensor[];
  readonly stores: readonly AnyTensor[];
}

const REDUCERS = new Set(["sum", "max"]);

export function lowerReduction(kernel: ReductionKernel, env: KernelEnv, add: (name: string, fn: FunctionBuilder, loop?: UnitLoop) => void): KernelSource | Cannot {
  const plan = planReduction(kernel, env.shapes, env.stored);
  if (typeof plan === "string") {
    const columns = lowerColumnReduction(kernel, env, add);
    return isCannot(columns) ? cannot(`${plan}; ${columns.cannot}`) : columns;
  }
  const name = `r${kernel.id}`;
  // Rows are independent: a thread pool may run chunks of rows (full operands a row apart, per-row ones a float).
  const unitBytes = [...plan.full.map(() => 4 * plan.cols), ...[...plan.perRow, ...plan.stores].map(() => 4)];
  const loop: UnitLoop = {
    name,
    units: plan.rows,
    unitBytes,
    floats: plan.scalars.length,
    elements: plan.rows * plan.cols,
    build: (rows) => buildReduction(kernel, { ...plan, rows }, env.shapes),
  };
  add(name, buildReduction(kernel, plan, env.shapes), loop);
  return kernelSource(kernel, env, (ctx) => {
    const args = [...plan.full, ...plan.perRow, ...plan.stores].map((x) => `${ctx.ref(x)}.byteOffset`);
    ctx.b.line(`// ${kernel.nodes.map((n) => `${n.op}#${n.id}`).join(", ")}: ${plan.rows} row(s) of ${plan.cols}, a Wasm SIMD reduction (float64 sums).`);
    ctx.b.line(`wasm.${name}(${[...args, ...plan.scalars.map((x) => `${ctx.ref(x)}[0]`)].join(", ")});`);
  });
}

function planReduction(kernel: ReductionKernel, shapes: BoundShapes, stored: ReadonlySet<AnyTensor>): ReducePlan | string {
  const { reduce, prologue, epilogue } = kernel;
  if (!REDUCERS.has(reduce.op)) return `no Wasm kernel for ${reduce.op}`;
  const source = reduce.inputs[0];
  const shape = shapes.of(source);
  const axes = [...(reduce.params as { axes: readonly number[] }).axes].sort((a, b) => a - b);
  const trailing = axes.every((a, i) => a === shape.length - axes.length + i);
  if (!trailing) return "only reductions over trailing axes (rows, or everything) are Wasm";
  const cols = axes.reduce((n, a) => n * shape[a], 1);
  const count = shapes.count(source);
  if (cols === 0 || count === 0) return "an empty reduction is JS";
  const rows = count / cols;
  const inside = new Set(kernel.nodes);
  const full: AnyTensor[] = [];
  const perRow: AnyTensor[] = [];
  const scalars: AnyTensor[] = [];
  const floatOk = (n: AnyTensor) => n.dtype === "float32" || (n.dtype === "bool" && ["greater", "less", "equal"].includes(n.op));
  if (prologue.length === 0) full.push(source);
  for (const [nodes, n] of [
    [prologue, count],
    [epilogue, rows],
  ] as const) {
    for (const node of nodes) {
      if (!simdRules[node.op] || !floatOk(node) || shapes.count(node) !== n) return `${node.op} has no exact f32x4 form here`;
      for (const x of node.inputs) {
        if (nodes === epilogue && full.includes(x)) return "the epilogue reads the reduced operand";
        if (inside.has(x) || full.includes(x) || perRow.includes(x) || scalars.includes(x) || scalarLiteral(x, shapes) !== null) continue;
        if (x.dtype !== "float32") return `a ${x.dtype} operand is JS`;
        const c = shapes.count(x);
        if (c === 1) scalars.push(x);
        else if (c === n && nodes === prologue) full.push(x);
        else if (c === n && (rows === 1 || sameTrailing(shapes.of(x), shapes.of(node)))) perRow.push(x);
        else return "an operand broadcast across the reduced axes is JS";
      }
    }
  }
  if (reduce.dtype !== "float32" || source.dtype !== "float32") return "only float32 reductions are Wasm";
  const stores = [reduce, ...epilogue].filter((n) => stored.has(n));
  return { rows, cols, full, perRow, scalars, stores };
}

/** Same shape up to size-1 axes (an operand [rows] against a result [rows, 1]). */
const sameTrailing = (a: readonly number[], b: readonly number[]) => a.filter((d) => d !== 1).join() === b.filter((d) => d !== 1).join();

/** `(full..., perRow..., stores..., scalars...) -> ()`, byte offsets then f32 values. */
function buildReduction(kernel: ReductionKernel, plan: ReducePlan, shapes: BoundShapes): FunctionBuilder {
  const { reduce, prologue, epilogue } = kernel;
  const r = reductionFunction(kernel, [...plan.full, ...plan.perRow, ...plan.stores], plan.scalars, shapes);
  const { fn, pointer } = r;
  const value = (x: AnyTensor) => r.local(x)!;
  const off = fn.local("i32");
  const counter = fn.local("i32");
  const row = fn.local("i32");
  const [lo, hi, tailSum, acc] = [fn.local("v128"), fn.local("v128"), fn.local("v128"), fn.local("v128")];
  const isSum = reduce.op === "sum";
  const source = reduce.inputs[0];
  /** Pushes x: computed, splat, a literal, or a load at `off` (four lanes, or one splat). */
  const push =
    (lanes: boolean) =>
    (x: AnyTensor): Push =>
    () => {
      const local = plan.full.includes(x) ? undefined : r.local(x);
      if (local) fn.get(local);
      else if (plan.full.includes(x))
        fn.get(pointer.get(x)!)
          .get(off)
          .core("i32.add")
          .simdMem(lanes ? "v128.load" : "v128.load32_splat", 0);
      else if (plan.perRow.includes(x)) fn.get(pointer.get(x)!).simdMem("v128.load32_splat", 0);
      else r.literal(x);
    };
  /** The reduced operand's value (four lanes, or one splat) on the stack. */
  const operand = (lanes: boolean) => {
    if (prologue.length === 0) return push(lanes)(source)();
    r.chain(prologue, push(lanes));
    fn.get(value(source));
  };
  const vectors = Math.floor(plan.cols / 4);
  const tail = plan.cols % 4;
  fn.repeat(row, plan.rows, () => {
    fn.i32(0).set(off);
    if (isSum) for (const l of [lo, hi, tailSum]) fn.f32x4(0).set(l);
    else fn.f32x4(Number.NEGATIVE_INFINITY).set(acc);
    const element = (lanes: boolean) => {
      operand(lanes);
      if (!isSum) fn.get(acc).simd("f32x4.max").set(acc);
      else if (!lanes) fn.simd("f64x2.promote_low_f32x4").get(tailSum).simd("f64x2.add").set(tailSum);
      else {
        const v = value(reduce); // free until the epilogue
        fn.set(v);
        addLanes(fn, lo, hi, v);
      }
      fn.addTo(off, lanes ? 16 : 4);
    };
    fn.repeat(counter, vectors, () => element(true));
    for (let j = 0; j < tail; j++) element(false);
    if (isSum) {
      pushLaneTotal(fn, lo, hi);
      fn.get(tailSum).simd("f64x2.add").simd("f32x4.demote_f64x2_zero");
    } else {
      // Lanes to one: max is order-free, so fold the four lanes pairwise.
      fn.get(acc)
        .get(acc)
        .get(acc)
        .shuffle([...HIGH_BYTES, ...LOW_BYTES])
        .simd("f32x4.max")
        .set(acc);
      fn.get(acc).get(acc).get(acc).shuffle([4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]).simd("f32x4.max");
    }
    fn.lane("f32x4.extract_lane", 0).simd("f32x4.splat").set(value(reduce));
    r.chain(epilogue, push(false));
    for (const x of plan.stores) fn.get(pointer.get(x)!).get(value(x)).storeLane("v128.store32_lane", 0, 0);
    for (const x of plan.full) fn.addTo(pointer.get(x)!, 4 * plan.cols);
    for (const x of [...plan.perRow, ...plan.stores]) fn.addTo(pointer.get(x)!, 4);
  });
  return fn;
}
