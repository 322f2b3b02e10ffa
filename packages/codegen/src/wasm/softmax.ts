import type { AnyTensor } from "@gradfold/graph";
import { cannot, type Cannot } from "../host/backend.ts";
import { kernelSource, type KernelEnv, type KernelSource } from "../js/kernel-source.ts";
import type { OpKernel } from "../lower/kernel.ts";
import { tempLocals } from "./activation.ts";
import { emitExp, emitLog1p } from "./exp-approx.ts";
import { addLanes, pushLaneTotal } from "./f64-sum.ts";
import { FunctionBuilder, type Local } from "./function-builder.ts";
import type { UnitLoop } from "./loop-split.ts";

/**
 * softmax, logSoftmax (over the last axis) and softmaxCrossEntropy as Wasm SIMD
 * kernels, one row at a time: the row max (four lanes, then the < 4 tail columns),
 * Σ exp(x − m) accumulated in float64 (lanes 0+2 and 1+3, then the two sums, then
 * the tail in column order), then the row's results. They follow the reference's
 * logsumexp: where the max is not finite (NaN, +Inf, or a row of −Inf) lse is the max
 * itself, so softmax is exp(x − m), logSoftmax x − m and the loss m − x[label], exactly
 * the reference's NaN/±Inf; elsewhere lse − m = log1p(Σ − 1), which keeps a small
 * loss's relative precision (Σ − 1 is exact in float64). A label outside [0, classes)
 * gives NaN (compiled steps range-check label feeds before running).
 */
export type SoftmaxKind = "softmax" | "logSoftmax" | "softmaxCrossEntropy";

export const isSoftmaxKind = (op: string): op is SoftmaxKind => op === "softmax" || op === "logSoftmax" || op === "softmaxCrossEntropy";

/** The kernel's glue and its Wasm function, or why not (not last-axis, not float32). */
export function lowerSoftmax(kernel: OpKernel, env: KernelEnv, add: (name: string, fn: FunctionBuilder, loop?: UnitLoop) => void): KernelSource | Cannot {
  const node = kernel.node;
  if (!isSoftmaxKind(node.op)) return cannot(`no Wasm kernel for ${node.op}`);
  const x = node.inputs[0];
  const shape = env.shapes.of(x);
  const cols = shape[shape.length - 1] ?? 1;
  const last = node.op === "softmaxCrossEntropy" || (node.params as { axis: number }).axis === shape.length - 1;
  if (!last || x.dtype !== "float32" || cols < 1) return cannot(`${node.op} over an axis but the last is JS`);
  const rows = env.shapes.count(x) / cols;
  if (rows < 1) return cannot(`${node.op} of an empty tensor is JS`);
  const name = `sm${kernel.id}`; // not s<digits>: renumber.ts renames those as node ids in the text, not in the module
  const kind = node.op;
  // Rows are independent: a thread pool may run chunks of rows (x, labels and y shifted).
  const unitBytes = kind === "softmaxCrossEntropy" ? [4 * cols, 4, 4] : [4 * cols, 4 * cols];
  add(name, buildSoftmax(kind, rows, cols), { name, units: rows, unitBytes, floats: 0, elements: rows * cols, build: (units) => buildSoftmax(kind, units, cols) });
  return kernelSource(kernel, env, (ctx) => {
    const args = node.inputs.map((t: AnyTensor) => `${ctx.ref(t)}.byteOffset`);
    ctx.b.line(`// ${node.op}#${node.id}: ${rows} rows of ${cols}, a Wasm SIMD kernel (max, float64 Σ exp, results).`);
    ctx.b.line(`wasm.${name}(${[...args, `${ctx.ref(node)}.byteOffset`].join(", ")});`);
  });
}

/** `(x, y)` for softmax/logSoftmax, `(x, labels, loss)` for the cross-entropy; byte offsets. */
export function buildSoftmax(kind: SoftmaxKind, rows: number, cols: number): FunctionBuilder {
  const ce = kind === "softmaxCrossEntropy";
  const fn = new FunctionBuilder(ce ? ["i32", "i32", "i32"] : ["i32", "i32"]);
  const x = fn.param(0);
  const labels = ce ? fn.param(1) : null;
  const y = fn.param(ce ? 2 : 1);
  const temps = tempLocals(fn);
  const vtemp = temps.temp("v128");
  const stemp = temps.temp("f32");
  const vectors = Math.floor(cols / 4);
  const tail = cols % 4;
  const p = fn.local("i32");
  const q = fn.local("i32");
  const counter = fn.local("i32");
  const row = fn.local("i32");
  const m = fn.local("f32");
  const mv = fn.local("v128");
  const lo = fn.local("v128");
  const hi = fn.local("v128");
  const sum = fn.local("v128");
  const e = fn.local("v128");
  const es = fn.local("f32");
  const finite = fn.local("i32");
  const factor = fn.local("f32");
  /** Runs `body` over the row's vectors with `p` at x's and `q` at y's current vector. */
  const overVectors = (body: () => void) => {
    fn.get(x).set(p);
    fn.get(y).set(q);
    fn.repeat(counter, vectors, () => {
      body();
      fn.addTo(p, 16);
      fn.addTo(q, 16);
    });
  };
  const at = (base: Local, j: number) =>
    fn
      .get(base)
      .i32(16 * vectors + 4 * j)
      .core("i32.add");
  fn.repeat(row, rows, () => {
    // The row max; f32 max propagates NaN like Math.max, and max(−0, +0) is +0.
    fn.f32x4(-Infinity).set(mv);
    overVectors(() => fn.get(mv).get(p).simdMem("v128.load", 0).simd("f32x4.max").set(mv));
    fn.f32(-Infinity);
    if (vectors > 0) for (let l = 0; l < 4; l++) fn.get(mv).lane("f32x4.extract_lane", l).core("f32.max");
    for (let j = 0; j < tail; j++) at(x, j).mem("f32.load", 0).core("f32.max");
    fn.tee(m).simd("f32x4.splat").set(mv);
    // Σ exp(x − m) in float64; softmax keeps each exp in y for the last pass.
    fn.f32x4(0).set(lo);
    fn.f32x4(0).set(hi);
    overVectors(() => {
      temps.reset();
      fn.get(p).simdMem("v128.load", 0).get(mv).simd("f32x4.sub");
      emitExp(fn, true, vtemp);
      fn.set(e);
      if (kind === "softmax") fn.get(q).get(e).simdMem("v128.store", 0);
      addLanes(fn, lo, hi, e);
    });
    pushLaneTotal(fn, lo, hi);
    fn.set(sum);
    for (let j = 0; j < tail; j++) {
      temps.reset();
      at(x, j).mem("f32.load", 0).get(m).core("f32.sub");
      emitExp(fn, false, stemp);
      fn.set(es);
      if (kind === "softmax") at(y, j).get(es).mem("f32.store", 0);
      fn.get(sum).f32x4(0).get(es).lane("f32x4.replace_lane", 0).simd("f64x2.promote_low_f32x4").simd("f64x2.add").set(sum);
    }
    // m − m is 0 exactly when m is finite.
    fn.get(m).get(m).core("f32.sub").f32(0).core("f32.eq").set(finite);
    if (kind === "softmax") {
      // y = exp(x − m) · (1/Σ); where m is not finite, exp(x − m) as the reference.
      fn.f32x4(1).simd("f64x2.promote_low_f32x4").get(sum).simd("f64x2.div").simd("f32x4.demote_f64x2_zero").lane("f32x4.extract_lane", 0);
      fn.f32(1).get(finite).core("select").set(factor);
      overVectors(() => fn.get(q).get(q).simdMem("v128.load", 0).get(factor).simd("f32x4.splat").simd("f32x4.mul").simdMem("v128.store", 0));
      for (let j = 0; j < tail; j++)
        at(y, j)
          .get(y)
          .i32(16 * vectors + 4 * j)
          .core("i32.add")
          .mem("f32.load", 0)
          .get(factor)
          .core("f32.mul")
          .mem("f32.store", 0);
    } else {
      // lse − m = log1p(Σ − 1), or 0 where m is not finite (then lse = m).
      temps.reset();
      fn.get(sum).f32x4(1).simd("f64x2.promote_low_f32x4").simd("f64x2.sub").simd("f32x4.demote_f64x2_zero").lane("f32x4.extract_lane", 0);
      emitLog1p(fn, false, stemp);
      fn.f32(0).get(finite).core("select").set(factor);
      if (kind === "logSoftmax") {
        fn.get(factor).simd("f32x4.splat").set(e);
        overVectors(() => fn.get(q).get(p).simdMem("v128.load", 0).get(mv).simd("f32x4.sub").get(e).simd("f32x4.sub").simdMem("v128.store", 0));
        for (let j = 0; j < tail; j++)
          at(y, j)
            .get(x)
            .i32(16 * vectors + 4 * j)
            .core("i32.add")
            .mem("f32.load", 0)
            .get(m)
            .core("f32.sub")
            .get(factor)
            .core("f32.sub")
            .mem("f32.store", 0);
      } else {
        emitLoss(fn, { x, labels: labels!, y, m, factor, cols, p });
      }
    }
    fn.addTo(x, 4 * cols);
    fn.addTo(y, ce ? 4 : 4 * cols);
    if (labels) fn.addTo(labels, 4);
  });
  return fn;
}

/** loss = (m − x[label]) + (lse − m) in float64, rounded once; NaN for a label outside [0, cols). */
function emitLoss(fn: FunctionBuilder, l: { x: Local; labels: Local; y: Local; m: Local; factor: Local; cols: number; p: Local }): void {
  const inRange = fn.local("i32");
  fn.get(l.labels).mem("i32.load", 0).set(l.p);
  fn.get(l.p).i32(l.cols).core("i32.lt_u").set(inRange);
  fn.get(l.y);
  // m − x[label] (x[0] read instead when out of range, then discarded).
  fn.get(l.m).simd("f32x4.splat").simd("f64x2.promote_low_f32x4");
  fn.get(l.x).get(l.p).i32(0).get(inRange).core("select").i32(2).core("i32.shl").core("i32.add").mem("f32.load", 0);
  fn.simd("f32x4.splat").simd("f64x2.promote_low_f32x4").simd("f64x2.sub");
  fn.get(l.factor).simd("f32x4.splat").simd("f64x2.promote_low_f32x4").simd("f64x2.add");
  fn.simd("f32x4.demote_f64x2_zero").lane("f32x4.extract_lane", 0);
  fn.f32(Number.NaN).get(inRange).core("select");
  fn.mem("f32.store", 0);
}
