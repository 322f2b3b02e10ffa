import type { AnyTensor } from "@gradfold/graph";
import { cannot, type Cannot } from "../host/backend.ts";
import { kernelSource, scalarLiteral, type KernelEnv, type KernelSource } from "../js/kernel-source.ts";
import type { ReductionKernel } from "../lower/kernel.ts";
import type { BoundShapes } from "../lower/shapes.ts";
import { simdRules, type Push } from "./elementwise.ts";
import { reductionFunction } from "./reduction-function.ts";
import { LOW_BYTES, addLanes } from "./f64-sum.ts";
import type { FunctionBuilder } from "./function-builder.ts";

/**
 * sum and max over leading axes — down the columns of a rows × cols matrix, e.g. a
 * bias gradient of any width — with an epilogue per column, as a Wasm SIMD kernel:
 * four columns at a time, then each of the < 4 tail columns (splat, lane 0 used).
 * Sums accumulate in float64 in row order, exactly the reference's order; max is
 * order-free. A prologue's operands are the reduced operand's shape (or one value),
 * the epilogue's one value per column or one in all.
 * (Multiples of four columns with an elementwise epilogue are usually taken first by
 * the column sum of backend.ts; this one takes the rest.)
 */
interface ColumnPlan {
  readonly rows: number;
  readonly cols: number;
  /** Operands of the prologue read at every element of the reduced operand (it first when there is no prologue). */
  readonly full: readonly AnyTensor[];
  readonly perColumn: readonly AnyTensor[];
  readonly scalars: readonly AnyTensor[];
  readonly stores: readonly AnyTensor[];
}

export function lowerColumnReduction(kernel: ReductionKernel, env: KernelEnv, add: (name: string, fn: FunctionBuilder) => void): KernelSource | Cannot {
  const plan = planColumns(kernel, env.shapes, env.stored);
  if (typeof plan === "string") return cannot(plan);
  const name = `c${kernel.id}`;
  add(name, buildColumnReduction(kernel, plan, env.shapes));
  return kernelSource(kernel, env, (ctx) => {
    const args = [...plan.full, ...plan.perColumn, ...plan.stores].map((x) => `${ctx.ref(x)}.byteOffset`);
    ctx.b.line(`// ${kernel.nodes.map((n) => `${n.op}#${n.id}`).join(", ")}: down ${plan.rows} rows of ${plan.cols} columns, a Wasm SIMD reduction (float64 sums in row order).`);
    ctx.b.line(`wasm.${name}(${[...args, ...plan.scalars.map((x) => `${ctx.ref(x)}[0]`)].join(", ")});`);
  });
}

function planColumns(kernel: ReductionKernel, shapes: BoundShapes, stored: ReadonlySet<AnyTensor>): ColumnPlan | string {
  const { reduce, prologue, epilogue } = kernel;
  if (reduce.op !== "sum" && reduce.op !== "max") return `no Wasm kernel for ${reduce.op}`;
  const source = reduce.inputs[0];
  const shape = shapes.of(source);
  const axes = [...(reduce.params as { axes: readonly number[] }).axes].sort((a, b) => a - b);
  if (!axes.every((a, i) => a === i) || axes.length === shape.length) return "only reductions over leading axes are Wasm here";
  if (source.dtype !== "float32" || reduce.dtype !== "float32") return "only float32 reductions are Wasm";
  const count = shapes.count(source);
  const cols = shapes.count(reduce);
  if (count === 0 || cols === 0) return "an empty reduction is JS";
  const inside = new Set(kernel.nodes);
  const perColumn: AnyTensor[] = [];
  const scalars: AnyTensor[] = [];
  const outShape = shapes
    .of(reduce)
    .filter((d) => d !== 1)
    .join();
  const full: AnyTensor[] = prologue.length === 0 ? [source] : [];
  for (const node of prologue) {
    if (!simdRules[node.op] || node.dtype !== "float32" || shapes.count(node) !== count) return `${node.op} has no exact f32x4 form here`;
    for (const x of node.inputs) {
      if (inside.has(x) || full.includes(x) || scalars.includes(x) || scalarLiteral(x, shapes) !== null) continue;
      if (x.dtype !== "float32") return `a ${x.dtype} operand is JS`;
      if (shapes.count(x) === 1) scalars.push(x);
      else if (shapes.count(x) === count) full.push(x);
      else return "a prologue operand broadcast along an axis is JS";
    }
  }
  for (const node of epilogue) {
    const dtypeOk = node.dtype === "float32" || (node.dtype === "bool" && ["greater", "less", "equal"].includes(node.op));
    if (!simdRules[node.op] || !dtypeOk || shapes.count(node) !== cols) return `${node.op} has no exact f32x4 form here`;
    for (const x of node.inputs) {
      if (inside.has(x) || perColumn.includes(x) || scalars.includes(x) || scalarLiteral(x, shapes) !== null) continue;
      if (x.dtype !== "float32" || full.includes(x)) return "the epilogue reads an operand the kernel does not take";
      const c = shapes.count(x);
      if (c === 1) scalars.push(x);
      else if (
        c === cols &&
        shapes
          .of(x)
          .filter((d) => d !== 1)
          .join() === outShape
      )
        perColumn.push(x);
      else return "an epilogue operand broadcast across columns is JS";
    }
  }
  return { rows: count / cols, cols, full, perColumn, scalars, stores: [reduce, ...epilogue].filter((n) => stored.has(n)) };
}

/** `(full..., perColumn..., stores..., scalars...) -> ()`. */
function buildColumnReduction(kernel: ReductionKernel, plan: ColumnPlan, shapes: BoundShapes): FunctionBuilder {
  const { reduce, prologue, epilogue } = kernel;
  const source = reduce.inputs[0];
  const r = reductionFunction(kernel, [...plan.full, ...plan.perColumn, ...plan.stores], plan.scalars, shapes);
  const { fn, pointer } = r;
  const [at, counter, outer] = [fn.local("i32"), fn.local("i32"), fn.local("i32")];
  const [lo, hi, acc, v] = [fn.local("v128"), fn.local("v128"), fn.local("v128"), fn.local("v128")];
  const isSum = reduce.op === "sum";
  /** One step of four columns (`lanes`) or one column (splat): reduce down the rows, epilogue, store, advance. */
  const columnStep = (lanes: boolean) => {
    const load = lanes ? "v128.load" : "v128.load32_splat";
    if (isSum) for (const l of [lo, hi]) fn.f32x4(0).set(l);
    else fn.f32x4(Number.NEGATIVE_INFINITY).set(acc);
    // `at` is the byte offset of the current row from each full operand's column pointer.
    fn.i32(0).set(at);
    const push =
      (row: boolean) =>
      (x: AnyTensor): Push =>
      () => {
        const local = r.local(x);
        if (row && plan.full.includes(x)) fn.get(pointer.get(x)!).get(at).core("i32.add").simdMem(load, 0);
        else if (local) fn.get(local);
        else if (pointer.has(x)) fn.get(pointer.get(x)!).simdMem(load, 0);
        else r.literal(x);
      };
    fn.repeat(counter, plan.rows, () => {
      if (prologue.length === 0) push(true)(source)();
      else {
        r.chain(prologue, push(true));
        fn.get(r.local(source)!);
      }
      fn.set(v);
      if (!isSum) fn.get(acc).get(v).simd("f32x4.max").set(acc);
      else if (lanes) addLanes(fn, lo, hi, v);
      else fn.get(lo).get(v).simd("f64x2.promote_low_f32x4").simd("f64x2.add").set(lo);
      fn.addTo(at, 4 * plan.cols);
    });
    if (isSum)
      fn.get(lo)
        .simd("f32x4.demote_f64x2_zero")
        .get(hi)
        .simd("f32x4.demote_f64x2_zero")
        .shuffle([...LOW_BYTES, ...LOW_BYTES.map((b) => b + 16)]);
    else fn.get(acc);
    fn.set(r.local(reduce)!);
    r.chain(epilogue, push(false));
    for (const x of plan.stores) {
      fn.get(pointer.get(x)!).get(r.local(x)!);
      if (lanes) fn.simdMem("v128.store", 0);
      else fn.storeLane("v128.store32_lane", 0, 0);
    }
    for (const p of pointer.values()) fn.addTo(p, lanes ? 16 : 4);
  };
  fn.repeat(outer, Math.floor(plan.cols / 4), () => columnStep(true));
  for (let j = 0; j < plan.cols % 4; j++) columnStep(false);
  return fn;
}
