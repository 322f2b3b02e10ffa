import { isDType, type DType } from "../dtype.ts";
import { GraphError } from "../errors.ts";
import { defineOp, type ParamInit } from "../op.ts";
import { formatShape, numel, type Shape } from "../shape.ts";
import { apply, type AnyTensor, type Tensor } from "../tensor.ts";

const noInputs = { arity: 0, traits: ["leaf"] } as const;

export const inputOp = defineOp("input", {
  ...noInputs,
  shape: (_, p) => p.shape,
  dtype: (_, p) => p.dtype,
});

export const paramOp = defineOp("param", {
  ...noInputs,
  shape: (_, p) => p.shape,
  dtype: () => "float32",
});

export const constantOp = defineOp("constant", {
  ...noInputs,
  shape: (_, p) => p.shape,
  dtype: (_, p) => p.dtype,
  evaluate: (_, p) => p.data,
});

/** The product of some (possibly symbolic) dims, as a float32 scalar: the count behind a mean. */
export const sizeOp = defineOp("size", {
  ...noInputs,
  shape: () => [],
  dtype: () => "float32",
});

function checkShape(what: string, shape: unknown): asserts shape is Shape {
  const ok = Array.isArray(shape) && shape.every((d) => (typeof d === "number" && Number.isInteger(d) && d >= 0) || (typeof d === "string" && d.length > 0));
  if (!ok) throw new GraphError(`${what}: shape must be an array of non-negative integers and dim names, got ${JSON.stringify(shape)}`);
}

/** A fed value, bound by name at evaluation or compile time. */
// Overloads: without a dtype the result is float32, never a dtype inferred from where the call sits.
export function input<const S extends Shape>(name: string, shape: S): Tensor<[...S], "float32">;
export function input<const S extends Shape, D extends DType>(name: string, shape: S, dtype: D): Tensor<[...S], D>;
export function input<const S extends Shape, D extends DType>(name: string, shape: S, dtype?: D): Tensor<[...S], D> {
  if (typeof name !== "string" || name.length === 0) throw new GraphError(`input: name must be a non-empty string, got ${JSON.stringify(name)}`);
  checkShape(`input ${JSON.stringify(name)}`, shape);
  const dt = dtype ?? "float32";
  if (!isDType(dt)) throw new GraphError(`input ${JSON.stringify(name)}: dtype must be float32, int32 or bool, got ${JSON.stringify(dtype)}`);
  return apply(inputOp, [], { name, shape: [...shape], dtype: dt }) as never;
}

/** A trainable float32 tensor with a concrete shape and an initial value. */
export function param<const S extends readonly number[]>(name: string, shape: S, options: { init?: ParamInit } = {}): Tensor<[...S], "float32"> {
  if (typeof name !== "string" || name.length === 0) throw new GraphError(`param: name must be a non-empty string, got ${JSON.stringify(name)}`);
  checkShape(`param ${JSON.stringify(name)}`, shape);
  if (shape.some((d) => typeof d !== "number")) {
    throw new GraphError(`param ${JSON.stringify(name)}: a param needs a concrete shape, got ${formatShape(shape)}`);
  }
  const init = options.init ?? 0;
  if (typeof init !== "number" && typeof init !== "function") {
    if (init.length !== numel(shape)) {
      throw new GraphError(`param ${JSON.stringify(name)}: init has ${init.length} values, shape ${formatShape(shape)} needs ${numel(shape)}`);
    }
  }
  return apply(paramOp, [], { name, shape: [...shape], init }) as never;
}

/** The initial value of a param, as float64 data (initializer functions are called once per node). */
const initCache = new WeakMap<Tensor, Float64Array>();
export function initialValue(p: Tensor): Float64Array {
  if (!p.is("param")) throw new GraphError(`initialValue: expected a param, got ${p.op}`);
  const cached = initCache.get(p);
  if (cached) return cached;
  const { init, shape, name } = p.params;
  const n = numel(shape);
  let data: Float64Array;
  if (typeof init === "number") data = new Float64Array(n).fill(init);
  else {
    const made = typeof init === "function" ? init(shape) : init;
    if (made.length !== n) {
      throw new GraphError(`param ${JSON.stringify(name)}: initializer made ${made.length} values, shape ${formatShape(shape)} needs ${n}`);
    }
    data = Float64Array.from(made as ArrayLike<number>);
  }
  initCache.set(p, data);
  return data;
}

/** A constant: a number (scalar) or nested arrays / typed array with an explicit shape. */
export function constant(value: number): Tensor<[], "float32">;
/** Without a shape, nested arrays give theirs at run time; statically it is only known to be numbers. */
export function constant(value: ArrayLike<number> | readonly unknown[]): Tensor<number[], "float32">;
export function constant<const S extends readonly number[]>(value: number | ArrayLike<number> | readonly unknown[], shape: S): Tensor<[...S], "float32">;
export function constant<const S extends readonly number[], D extends DType>(value: number | ArrayLike<number> | readonly unknown[], shape: S, dtype: D): Tensor<[...S], D>;
export function constant(value: number | ArrayLike<number> | readonly unknown[], shape?: readonly number[], dtype: DType = "float32"): AnyTensor {
  if (typeof value === "number") {
    if (shape && shape.length > 0) return apply(constantOp, [], { data: new Float64Array(numel(shape)).fill(value), shape: [...shape], dtype }) as never;
    return scalar(value, dtype) as never;
  }
  const flat: number[] = [];
  const inferred: number[] = [];
  const walk = (v: unknown, depth: number) => {
    if (typeof v === "number") {
      flat.push(v);
      return;
    }
    const arr = v as ArrayLike<unknown>;
    if (inferred.length <= depth) inferred.push(arr.length);
    else if (inferred[depth] !== arr.length) throw new GraphError(`constant: ragged nested array at depth ${depth}`);
    for (let i = 0; i < arr.length; i++) walk(arr[i], depth + 1);
  };
  walk(value, 0);
  const finalShape = shape ? [...shape] : inferred;
  if (numel(finalShape) !== flat.length) {
    throw new GraphError(`constant: ${flat.length} values do not fill shape ${formatShape(finalShape)}`);
  }
  return apply(constantOp, [], { data: Float64Array.from(flat), shape: finalShape, dtype }) as never;
}

export function scalar(value: number): Tensor<[], "float32">;
export function scalar<D extends DType>(value: number, dtype: D): Tensor<[], D>;
export function scalar<D extends DType>(value: number, dtype?: D): Tensor<[], D> {
  if (typeof value !== "number") throw new GraphError(`scalar: expected a number, got ${typeof value}`);
  return apply(constantOp, [], { data: Float64Array.of(value), shape: [], dtype: dtype ?? "float32" }) as never;
}

/** The value of a constant whose elements are all equal, or undefined. */
export function constantValue(t: Tensor): number | undefined {
  if (!t.is("constant")) return undefined;
  const { data } = t.params;
  const v = data[0];
  for (let i = 1; i < data.length; i++) if (!Object.is(data[i], v)) return undefined;
  return v;
}

export function size(dims: Shape): Tensor<[], "float32"> {
  if (dims.every((d) => typeof d === "number")) return scalar(numel(dims as number[]));
  return apply(sizeOp, [], { dims: [...dims] }) as never;
}
