import type { DType } from "./dtype.ts";
import type { Dim, Shape } from "./shape.ts";
import type { AnyTensor } from "./tensor.ts";
import type { Window2d } from "./ops/window.ts";

/** A convolution's geometry (NHWC input, [kh, kw, in/groups, out] filter). */
export interface Conv2dParams extends Window2d {
  readonly groups: number;
}

/** A pooling window's geometry (NHWC). */
export interface Pool2dParams extends Window2d {
  /** [kh, kw] */
  readonly kernel: readonly [number, number];
}

/** A param's initial value: data, a constant fill, or a function of its shape. */
export type ParamInit = Float32Array | Float64Array | readonly number[] | number | ((shape: readonly number[]) => ArrayLike<number>);

/** The typed parameters of every op kind: the closed set of ops the graph knows. */
export interface OpParams {
  input: { name: string; shape: readonly Dim[]; dtype: DType };
  param: { name: string; shape: readonly number[]; init: ParamInit };
  constant: { data: Float64Array; shape: readonly number[]; dtype: DType };
  size: { dims: readonly Dim[] };
  // elementwise unary
  neg: {};
  exp: {};
  log: {};
  log1p: {};
  expm1: {};
  sqrt: {};
  rsqrt: {};
  reciprocal: {};
  abs: {};
  sign: {};
  sigmoid: {};
  tanh: {};
  relu: {};
  softplus: {};
  erf: {};
  // elementwise binary
  add: {};
  mul: {};
  div: {};
  pow: {};
  maximum: {};
  minimum: {};
  less: {};
  lessEqual: {};
  greater: {};
  greaterEqual: {};
  equal: {};
  notEqual: {};
  where: {};
  cast: { dtype: DType };
  stopGradient: {};
  // reductions
  sum: { axes: readonly number[]; keepdims: boolean };
  max: { axes: readonly number[]; keepdims: boolean };
  logsumexp: { axes: readonly number[]; keepdims: boolean };
  softmax: { axis: number };
  logSoftmax: { axis: number };
  softmaxCrossEntropy: {};
  // linear algebra and layout
  matmul: { transA: boolean; transB: boolean };
  reshape: { shape: readonly Dim[] };
  transpose: { perm: readonly number[] };
  broadcastTo: { shape: readonly Dim[] };
  concat: { axis: number };
  slice: { begin: readonly number[]; size: readonly Dim[] };
  pad: { before: readonly number[]; after: readonly number[] };
  gather: { axis: number };
  scatterAdd: { axis: number; size: Dim };
  oneHot: { depth: number };
  // convolution and pooling, NHWC (ops/conv2d.ts, ops/max-pool2d.ts, ops/avg-pool2d.ts)
  conv2d: Conv2dParams;
  /** The input-gradient of conv2d (a transposed convolution); `inputSize` is [h, w] of its result. */
  conv2dTranspose: Conv2dParams & { readonly inputSize: readonly [number, number] };
  /** The filter-gradient of conv2d; `kernelSize` is [kh, kw] of its result. */
  conv2dFilterGrad: Conv2dParams & { readonly kernelSize: readonly [number, number] };
  maxPool2d: Pool2dParams;
  maxPool2dGrad: Pool2dParams;
  /** `countIncludePad`: divide by the whole window (PyTorch's default) instead of the taps inside x. */
  avgPool2d: Pool2dParams & { readonly countIncludePad: boolean };
  avgPool2dGrad: Pool2dParams & { readonly countIncludePad: boolean; readonly inputSize: readonly [number, number] };
  // user-defined ops (ops/custom.ts): the rules live in a side table by id
  custom: { id: number; name: string };
}

export type OpKind = keyof OpParams;

/** What rewrites and fusion read about an op instead of listing op names. */
export type Trait =
  | "leaf"
  | "elementwise"
  | "unary"
  | "binary"
  | "commutative"
  | "associative"
  | "comparison"
  | "reduction"
  | "layout"
  /** Reinterprets its operand's row-major data without moving it (reshape): no kernel, same buffer. */
  | "view"
  | "contraction"
  | "nondifferentiable";

/** A concrete value in the reference interpreter: float64 data in row-major order. */
export interface Value {
  readonly data: Float64Array;
  readonly shape: readonly number[];
}

export interface VjpContext<K extends OpKind> {
  readonly inputs: readonly AnyTensor[];
  readonly out: AnyTensor;
  readonly grad: AnyTensor;
  readonly params: OpParams[K];
}

export interface OpDef<K extends OpKind = OpKind> {
  readonly kind: K;
  readonly traits: readonly Trait[];
  /** Number of inputs; variadic ops (concat) say -1. */
  readonly arity: number;
  /** Result shape, or a string saying why the operands do not fit. */
  readonly shape: (inputs: readonly Shape[], params: OpParams[K]) => readonly Dim[] | string;
  /** Result dtype, or a string saying why the operand dtypes do not fit. */
  readonly dtype: (inputs: readonly DType[], params: OpParams[K]) => DType | string;
  /** Reference semantics of an elementwise op, one element at a time (float64). */
  readonly scalar?: (...args: number[]) => number;
  /** Reference semantics of any other op, on whole float64 values. */
  readonly evaluate?: (inputs: readonly Value[], params: OpParams[K], outShape: readonly number[]) => Float64Array;
  /** Vector-Jacobian product in graph ops: one cotangent per input, null where none flows. */
  readonly vjp?: (ctx: VjpContext<K>) => ReadonlyArray<AnyTensor | null>;
}

export function defineOp<K extends OpKind>(kind: K, def: Omit<OpDef<K>, "kind">): OpDef<K> {
  return { kind, ...def };
}

export function hasTrait(def: { traits: readonly Trait[] }, trait: Trait): boolean {
  return def.traits.includes(trait);
}
