/**
 * User-defined ops: the one open door in the closed op set. Every user op is a node
 * of the single kind `custom` whose params are JSON-safe `{ id, name }` (interning keys
 * on the JSON of params, so functions never go there); the user's rules live in a side
 * table by id, and the registry entry for `custom` delegates each rule to it. Downstream
 * tables keyed by OpKind handle `custom` once, for every user op.
 */
import type { DType } from "../dtype.ts";
import { GraphError } from "../errors.ts";
import { defineOp, type Value } from "../op.ts";
import { formatShape, numel, type Dim, type Shape } from "../shape.ts";
import { apply, Tensor, type AnyTensor } from "../tensor.ts";
import { broadcastEval, floatOnly } from "./rules.ts";

/** A buffer a compiled kernel hands to a custom op: float32 data, or int32 for int32/bool values. */
export type KernelArray = Float32Array | Int32Array;

/** The concrete shapes a compiled kernel passes along with its buffers. */
export interface KernelShapes {
  readonly inputs: readonly (readonly number[])[];
  readonly out: readonly number[];
}

/** What a custom op's gradient rule receives: its operands, its own node and the incoming cotangent. */
export interface CustomVjpContext {
  readonly inputs: readonly AnyTensor[];
  readonly out: AnyTensor;
  readonly grad: AnyTensor;
}

interface CustomOpSpecBase<N extends number> {
  /** Shown in errors, `format()` and generated code comments (JSON-escaped there). */
  readonly name: string;
  /** Number of operands. */
  readonly arity: N;
  /** Result shape from the operands' shapes, or a string saying why they do not fit. */
  readonly shape: (inputs: readonly Shape[]) => readonly Dim[] | string;
  /** Result dtype, or a string saying why the operand dtypes do not fit; default: all float32. */
  readonly dtype?: (inputs: readonly DType[]) => DType | string;
  /**
   * Vector-Jacobian product written with graph ops: one cotangent per operand (its
   * shape), null where none flows. Being graph, it is differentiated again for
   * second derivatives.
   */
  readonly vjp: (ctx: CustomVjpContext) => ReadonlyArray<AnyTensor | null>;
  /**
   * Optional fast path for `compile()` of @gradfold/codegen: computes the result into
   * `out` straight from the kernel's buffers, without allocating. Without it the
   * compiled step copies the operands to float64, runs the reference and copies back.
   */
  readonly compute?: (inputs: readonly KernelArray[], out: KernelArray, shapes: KernelShapes) => void;
}

/** An elementwise op: its reference is one element at a time, operands broadcast numpy-style. */
export interface ElementwiseCustomOpSpec<N extends number> extends CustomOpSpecBase<N> {
  readonly scalar: (...xs: number[]) => number;
  readonly evaluate?: undefined;
}

/** Any other op: its reference maps whole float64 values to the result's row-major data. */
export interface GeneralCustomOpSpec<N extends number> extends CustomOpSpecBase<N> {
  readonly evaluate: (inputs: readonly Value[], outShape: readonly number[]) => Float64Array;
  readonly scalar?: undefined;
}

/** Everything the graph needs to know about a user-defined op. */
export type CustomOpSpec<N extends number = number> = ElementwiseCustomOpSpec<N> | GeneralCustomOpSpec<N>;

type Operands<N extends number, Acc extends AnyTensor[] = []> = number extends N
  ? AnyTensor[]
  : Acc["length"] extends N
    ? Acc
    : Acc["length"] extends 8
      ? AnyTensor[]
      : Operands<N, [...Acc, AnyTensor]>;

/** Builds a node of a user-defined op; `spec` and `id` identify it. Without a dtype rule the result is float32. */
export interface CustomOp<N extends number = number, D extends DType = DType> {
  (...inputs: Operands<N>): Tensor<Dim[], D>;
  readonly id: number;
  readonly spec: CustomOpSpec<N>;
}

/** The side table: every spec defined in this process, by id. Ids are never reused. */
const specs = new Map<number, CustomOpSpec>();

/** The spec behind a custom op id, for evaluators and code generators. */
export function customOpSpec(id: number): CustomOpSpec {
  const spec = specs.get(id);
  if (!spec) throw new GraphError(`custom op #${id} is not defined in this process`);
  return spec;
}

const label = (name: string) => `op ${JSON.stringify(name)}`;

/**
 * Defines an op outside the packages: its shape rule, optional dtype rule, float64
 * reference (`scalar` for elementwise ops, else `evaluate`) and gradient in graph
 * ops. Returns a function building its nodes. Two definitions never share nodes,
 * even with the same name.
 */
export function defineCustomOp<const N extends number>(spec: CustomOpSpec<N> & { readonly dtype?: undefined }): CustomOp<N, "float32">;
export function defineCustomOp<const N extends number>(spec: CustomOpSpec<N>): CustomOp<N, DType>;
export function defineCustomOp<const N extends number>(spec: CustomOpSpec<N>): CustomOp<N, DType> {
  checkSpec(spec);
  const id = specs.size;
  const frozen = Object.freeze({ ...spec }) as CustomOpSpec<N>;
  specs.set(id, frozen as CustomOpSpec);
  const params = Object.freeze({ id, name: spec.name });
  const build = (...inputs: AnyTensor[]): Tensor<Dim[], DType> => {
    if (inputs.length !== spec.arity) {
      throw new GraphError(`custom ${label(spec.name)}: expected ${spec.arity} operand${spec.arity === 1 ? "" : "s"}, got ${inputs.length}`);
    }
    return apply(customOp, inputs, params) as never;
  };
  return Object.assign(build as unknown as CustomOp<N, DType>, { id, spec: frozen });
}

function checkSpec(spec: CustomOpSpec): void {
  if (spec === null || typeof spec !== "object") throw new GraphError(`defineCustomOp: expected a spec object, got ${spec}`);
  const what = `defineCustomOp(${typeof spec.name === "string" ? JSON.stringify(spec.name) : "?"})`;
  if (typeof spec.name !== "string" || spec.name === "") throw new GraphError(`${what}: name must be a non-empty string`);
  if (!Number.isInteger(spec.arity) || spec.arity < 1) throw new GraphError(`${what}: arity must be an integer >= 1, got ${spec.arity}`);
  for (const key of ["shape", "vjp"] as const) {
    if (typeof spec[key] !== "function") throw new GraphError(`${what}: ${key} must be a function`);
  }
  for (const key of ["dtype", "compute"] as const) {
    if (spec[key] !== undefined && typeof spec[key] !== "function") throw new GraphError(`${what}: ${key} must be a function when given`);
  }
  const references = [spec.scalar, spec.evaluate].filter((f) => f !== undefined);
  if (references.length !== 1 || typeof references[0] !== "function") {
    throw new GraphError(`${what}: give exactly one reference, scalar (elementwise) or evaluate (whole values)`);
  }
}

function evaluateCustom(spec: CustomOpSpec, inputs: readonly Value[], outShape: readonly number[]): Float64Array {
  if (spec.scalar) return broadcastEval(inputs, outShape, spec.scalar);
  const data = spec.evaluate(inputs, outShape);
  if (!(data instanceof Float64Array) || data.length !== numel(outShape)) {
    const got = data instanceof Float64Array ? `${data.length} values` : String(data);
    throw new GraphError(`custom ${label(spec.name)}: evaluate must return a Float64Array of ${numel(outShape)} values for ${formatShape(outShape)}, got ${got}`);
  }
  return data;
}

function vjpCustom(spec: CustomOpSpec, ctx: CustomVjpContext): ReadonlyArray<AnyTensor | null> {
  const cotangents = spec.vjp(ctx);
  if (!Array.isArray(cotangents) || cotangents.length !== ctx.inputs.length) {
    throw new GraphError(
      `custom ${label(spec.name)}: vjp must return ${ctx.inputs.length} cotangents (Tensor or null), got ${Array.isArray(cotangents) ? cotangents.length : typeof cotangents}`,
    );
  }
  cotangents.forEach((ct, i) => {
    if (ct === null) return;
    if (!(ct instanceof Tensor)) throw new GraphError(`custom ${label(spec.name)}: vjp's cotangent ${i} is not a Tensor or null`);
    const operand = ctx.inputs[i].shape;
    if (formatShape(ct.shape) !== formatShape(operand)) {
      throw new GraphError(
        `custom ${label(spec.name)}: vjp's cotangent ${i} has shape ${formatShape(ct.shape)}, its operand ${formatShape(operand)} (sum broadcast axes away with unbroadcast)`,
      );
    }
  });
  return cotangents;
}

/**
 * The registry's entry: no traits, so rewrites and fusion treat custom nodes as
 * opaque; arity -1 because each spec checks its own (in the builder, with its name).
 */
export const customOp = defineOp("custom", {
  arity: -1,
  traits: [],
  shape: (inputs, { id, name }) => {
    const shape = customOpSpec(id).shape(inputs);
    if (typeof shape === "string") return `${label(name)}: ${shape}`;
    if (!Array.isArray(shape) || !shape.every((d) => (typeof d === "number" && Number.isInteger(d) && d >= 0) || typeof d === "string")) {
      return `${label(name)}: its shape rule returned ${JSON.stringify(shape)}, expected an array of dims (non-negative integers or size names)`;
    }
    return shape;
  },
  dtype: (inputs, { id, name }) => {
    const dtype = (customOpSpec(id).dtype ?? floatOnly)(inputs);
    return dtype === "float32" || dtype === "int32" || dtype === "bool" ? dtype : `${label(name)}: ${dtype}`;
  },
  evaluate: (inputs, { id }, outShape) => evaluateCustom(customOpSpec(id), inputs, outShape),
  vjp: ({ inputs, out, grad, params }) => vjpCustom(customOpSpec(params.id), { inputs, out, grad }),
});
