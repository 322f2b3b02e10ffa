import { FunctionBuilder, type Local } from "./function-builder.ts";
import { buildModule } from "./module-builder.ts";
import type { BinaryOp, Expr, UnaryOp } from "./elementwise-expr.ts";
import type { CoreOp, SimdOp, ValType } from "./opcodes.ts";
import { emitExp, emitLog, emitSigmoid, emitTanh, type Temp } from "./exp-approx.ts";
import { isSharedMemory, wasm, type WasmMemory } from "./wasm-api.ts";

/**
 * One elementwise kernel over `length` elements: each output i is outputs[o] at
 * element i. Called as `(out0, …, arr0, …, scalar0, …)`: byte offsets of the
 * outputs and array inputs, then the f32 scalars. An output may alias an input
 * (in-place updates): all outputs of an element group are computed before any is stored.
 */
export interface ElementwiseSpec {
  readonly name: string;
  readonly length: number;
  readonly arrays: number;
  readonly scalars?: number;
  readonly outputs: readonly Expr[];
}

export type ElementwiseKernel = (...offsetsThenScalars: number[]) => void;

type Mode = { readonly type: ValType; readonly lanes: 4 | 1 };
const VECTOR: Mode = { type: "v128", lanes: 4 };
const SCALAR: Mode = { type: "f32", lanes: 1 };

type UnaryEmitter = (fn: FunctionBuilder, vector: boolean, temp: Temp) => void;
const instruction = (vectorOp: SimdOp, scalarOp: CoreOp): UnaryEmitter => (fn, vector) => {
  if (vector) fn.simd(vectorOp);
  else fn.core(scalarOp);
};
const unaryOps: { [K in UnaryOp]: UnaryEmitter } = {
  neg: instruction("f32x4.neg", "f32.neg"),
  abs: instruction("f32x4.abs", "f32.abs"),
  sqrt: instruction("f32x4.sqrt", "f32.sqrt"),
  exp: emitExp,
  log: emitLog,
  sigmoid: emitSigmoid,
  tanh: emitTanh,
};
const binaryOps: { [K in BinaryOp]: { vector: SimdOp; scalar: CoreOp } } = {
  add: { vector: "f32x4.add", scalar: "f32.add" },
  sub: { vector: "f32x4.sub", scalar: "f32.sub" },
  mul: { vector: "f32x4.mul", scalar: "f32.mul" },
  div: { vector: "f32x4.div", scalar: "f32.div" },
  min: { vector: "f32x4.min", scalar: "f32.min" },
  max: { vector: "f32x4.max", scalar: "f32.max" },
};

function children(e: Expr): Expr[] {
  if ("x" in e && "a" in e) return [e.a, e.b, e.x, e.y];
  if ("x" in e) return [e.x];
  if ("a" in e) return [e.a, e.b];
  return [];
}

/** How many parents each node has, so shared subexpressions are kept in a local. */
function useCounts(roots: readonly Expr[]): Map<Expr, number> {
  const uses = new Map<Expr, number>();
  const visit = (e: Expr) => {
    const n = (uses.get(e) ?? 0) + 1;
    uses.set(e, n);
    if (n === 1) children(e).forEach(visit);
  };
  roots.forEach(visit);
  return uses;
}

export function elementwiseFunction(spec: ElementwiseSpec): FunctionBuilder {
  const scalarCount = spec.scalars ?? 0;
  const outCount = spec.outputs.length;
  if (!Number.isInteger(spec.length) || spec.length < 1) throw new RangeError(`elementwise kernel ${JSON.stringify(spec.name)}: length must be a positive integer, got ${spec.length}`);
  if (outCount < 1) throw new RangeError(`elementwise kernel ${JSON.stringify(spec.name)}: needs at least one output`);
  const fn = new FunctionBuilder([
    ...Array<ValType>(outCount + spec.arrays).fill("i32"),
    ...Array<ValType>(scalarCount).fill("f32"),
  ]);
  const outs = Array.from({ length: outCount }, (_, o) => fn.param(o));
  const arrays = Array.from({ length: spec.arrays }, (_, a) => fn.param(outCount + a));
  const scalars = Array.from({ length: scalarCount }, (_, s) => fn.param(outCount + spec.arrays + s));
  const uses = useCounts(spec.outputs);
  for (const e of uses.keys()) {
    if (e.op === "array" && !(e.index >= 0 && e.index < spec.arrays)) throw new RangeError(`elementwise kernel ${JSON.stringify(spec.name)}: array ${e.index} of ${spec.arrays}`);
    if (e.op === "scalar" && !(e.index >= 0 && e.index < scalarCount)) throw new RangeError(`elementwise kernel ${JSON.stringify(spec.name)}: scalar ${e.index} of ${scalarCount}`);
  }
  const offset = fn.local("i32"), count = fn.local("i32");
  const splats = scalars.map((s) => {
    const l = fn.local("v128");
    fn.get(s).simd("f32x4.splat").set(l);
    return l;
  });
  const sharedLocals = new Map<string, Local>();

  /** Pushes e's value for the element(s) at offset + `at` bytes. */
  const emitGroup = (mode: Mode, at: number) => {
    const memo = new Map<Expr, Local>();
    const emit = (e: Expr): void => {
      const known = memo.get(e);
      if (known) { fn.get(known); return; }
      const vector = mode === VECTOR;
      if (e.op === "array") {
        fn.get(arrays[e.index]).get(offset).core("i32.add");
        if (vector) fn.simdMem("v128.load", at); else fn.mem("f32.load", at);
      } else if (e.op === "scalar") fn.get(vector ? splats[e.index] : scalars[e.index]);
      else if (e.op === "const") { if (vector) fn.f32x4(e.value); else fn.f32(e.value); }
      else if (e.op === "selectGt") {
        emit(e.x); emit(e.y); emit(e.a); emit(e.b);
        if (vector) fn.simd("f32x4.gt").simd("v128.bitselect"); else fn.core("f32.gt").core("select");
      } else if ("x" in e) {
        emit(e.x);
        unaryOps[e.op](fn, vector, () => fn.local(mode.type));
      } else {
        emit(e.a); emit(e.b);
        if (vector) fn.simd(binaryOps[e.op].vector); else fn.core(binaryOps[e.op].scalar);
      }
      if ((uses.get(e) ?? 0) > 1) {
        const key = `${mode.type}:${[...uses.keys()].indexOf(e)}`;
        let l = sharedLocals.get(key);
        if (!l) {
          l = fn.local(mode.type);
          sharedLocals.set(key, l);
        }
        fn.tee(l);
        memo.set(e, l);
      }
    };
    const results = spec.outputs.map((e, o) => {
      emit(e);
      const key = `${mode.type}:out${o}`;
      let l = sharedLocals.get(key);
      if (!l) {
        l = fn.local(mode.type);
        sharedLocals.set(key, l);
      }
      fn.set(l);
      return l;
    });
    results.forEach((l, o) => {
      fn.get(outs[o]).get(offset).core("i32.add").get(l);
      if (mode === VECTOR) fn.simdMem("v128.store", at); else fn.mem("f32.store", at);
    });
  };

  fn.i32(0).set(offset);
  fn.repeat(count, Math.floor(spec.length / 4), () => {
    emitGroup(VECTOR, 0);
    fn.addTo(offset, 16);
  });
  for (let t = 0; t < spec.length % 4; t++) emitGroup(SCALAR, 4 * t);
  return fn;
}

export interface ElementwiseKernels {
  readonly bytes: Uint8Array;
  instantiate(memory: WasmMemory): Record<string, ElementwiseKernel>;
}

/** One module with a SIMD loop (4 elements per step, scalar tail) per spec. */
export function buildElementwiseKernels(specs: readonly ElementwiseSpec[], options: { shared?: boolean } = {}): ElementwiseKernels {
  const functions = specs.map((s) => ({ name: s.name, fn: elementwiseFunction(s) }));
  const bytes = buildModule({ shared: options.shared ?? false }, functions);
  const unshared = options.shared ? buildModule({ shared: false }, functions) : bytes;
  const shared = options.shared ? bytes : undefined;
  return {
    bytes,
    instantiate(memory) {
      const isShared = isSharedMemory(memory);
      const module = new wasm.Module(isShared ? (shared ?? buildModule({ shared: true }, functions)) : unshared);
      const instance = new wasm.Instance(module, { env: { memory } });
      return Object.fromEntries(specs.map((s) => [s.name, instance.exports[s.name] as ElementwiseKernel]));
    },
  };
}
