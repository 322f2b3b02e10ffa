import type { DType } from "./dtype.ts";
import { GraphError, opError } from "./errors.ts";
import type { OpDef, OpKind, OpParams } from "./op.ts";
// No import of the registry here: op modules import this file, so a path from here
// to the registry would let the registry's table be built before they are done.
import { formatShape, type Dim, type Shape } from "./shape.ts";
import { recordSite } from "./sites.ts";
import type {
  Broadcast,
  CheckAxes,
  CheckBroadcast,
  CheckBroadcastTo,
  CheckConcat,
  CheckMatmul,
  CheckPermute,
  CheckRank,
  ConcatShape,
  GatherShape,
  LabelShape,
  MatmulShape,
  PermuteShape,
  ReduceShape,
  ReshapeShape,
  Reverse,
  SliceShape,
} from "./shape-types.ts";
import * as ops from "./ops/index.ts";
import type { CheckConv2d, CheckNhwc, Conv2dShape, GlobalPoolShape, GroupsOf, Pool2dShape } from "./window-types.ts";

export type AnyTensor = Tensor<any, any>;
type Axis = number | readonly number[] | undefined;
type Mutable<S extends Shape> = [...S];

let nextId = 0;
const interned = new Map<string, WeakRef<Tensor>>();
const forget = new FinalizationRegistry<string>((key) => {
  const ref = interned.get(key);
  if (ref && ref.deref() === undefined) interned.delete(key);
});

/**
 * A node of the expression graph, typed by its static shape `S` and dtype `D`.
 * Nodes are immutable and interned: building the same op on the same inputs with
 * the same params twice returns the same object, so common subexpressions are shared.
 */
export class Tensor<S extends Shape = Shape, D extends DType = DType> {
  readonly id: number;
  readonly op: OpKind;
  readonly params: OpParams[OpKind];
  readonly inputs: readonly AnyTensor[];
  readonly shape: S;
  readonly dtype: D;

  /** @internal use `apply` or the op functions. */
  constructor(op: OpKind, params: OpParams[OpKind], inputs: readonly AnyTensor[], shape: S, dtype: D) {
    this.id = nextId++;
    this.op = op;
    this.params = params;
    this.inputs = inputs;
    this.shape = shape;
    this.dtype = dtype;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** True when this node is of kind `kind`; narrows `params` to that kind's record. */
  is<K extends OpKind>(kind: K): this is Tensor<S, D> & { op: K; params: OpParams[K] } {
    return this.op === kind;
  }

  toString(): string {
    return `${this.op}#${this.id}: ${this.dtype}${formatShape(this.shape)}`;
  }

  // ---- elementwise arithmetic
  add<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, D> {
    return ops.add(this, other as AnyTensor) as never;
  }
  sub<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, D> {
    return ops.sub(this, other as AnyTensor) as never;
  }
  mul<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, D> {
    return ops.mul(this, other as AnyTensor) as never;
  }
  div<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, D> {
    return ops.div(this, other as AnyTensor) as never;
  }
  pow<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, D> {
    return ops.pow(this, other as AnyTensor) as never;
  }
  maximum<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, D> {
    return ops.maximum(this, other as AnyTensor) as never;
  }
  minimum<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, D> {
    return ops.minimum(this, other as AnyTensor) as never;
  }

  // ---- comparisons (bool results)
  less<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, "bool"> {
    return ops.less(this, other as AnyTensor) as never;
  }
  lessEqual<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, "bool"> {
    return ops.lessEqual(this, other as AnyTensor) as never;
  }
  greater<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, "bool"> {
    return ops.greater(this, other as AnyTensor) as never;
  }
  greaterEqual<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, "bool"> {
    return ops.greaterEqual(this, other as AnyTensor) as never;
  }
  equal<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, "bool"> {
    return ops.equal(this, other as AnyTensor) as never;
  }
  notEqual<B extends Shape = []>(other: (Tensor<B, D> & CheckBroadcast<S, B>) | number): Tensor<Broadcast<S, B>, "bool"> {
    return ops.notEqual(this, other as AnyTensor) as never;
  }

  /** Picks `a` where this bool tensor holds and `b` elsewhere (the method form of `where`). */
  where<A extends Shape = [], B extends Shape = [], E extends DType = "float32">(
    this: Tensor<S, "bool">,
    a: (Tensor<A, E> & CheckBroadcast<S, A>) | number,
    b: (Tensor<B, NoInfer<E>> & CheckBroadcast<Broadcast<S, A>, B>) | number,
  ): Tensor<Broadcast<S, Broadcast<A, B>>, E> {
    return ops.where(this as AnyTensor, a as AnyTensor, b as AnyTensor) as never;
  }

  // ---- elementwise unary
  neg(): Tensor<S, D> {
    return ops.neg(this);
  }
  exp(): Tensor<S, D> {
    return ops.exp(this);
  }
  log(): Tensor<S, D> {
    return ops.log(this);
  }
  log1p(): Tensor<S, D> {
    return ops.log1p(this);
  }
  expm1(): Tensor<S, D> {
    return ops.expm1(this);
  }
  sqrt(): Tensor<S, D> {
    return ops.sqrt(this);
  }
  rsqrt(): Tensor<S, D> {
    return ops.rsqrt(this);
  }
  reciprocal(): Tensor<S, D> {
    return ops.reciprocal(this);
  }
  abs(): Tensor<S, D> {
    return ops.abs(this);
  }
  sign(): Tensor<S, D> {
    return ops.sign(this);
  }
  square(): Tensor<S, D> {
    return ops.square(this);
  }
  sigmoid(): Tensor<S, D> {
    return ops.sigmoid(this);
  }
  tanh(): Tensor<S, D> {
    return ops.tanh(this);
  }
  relu(): Tensor<S, D> {
    return ops.relu(this);
  }
  leakyRelu(alpha = 0.01): Tensor<S, D> {
    return ops.leakyRelu(this, alpha);
  }
  elu(alpha = 1): Tensor<S, D> {
    return ops.elu(this, alpha);
  }
  gelu(): Tensor<S, D> {
    return ops.gelu(this);
  }
  softplus(): Tensor<S, D> {
    return ops.softplus(this);
  }
  erf(): Tensor<S, D> {
    return ops.erf(this);
  }
  clip(lo: number, hi: number): Tensor<S, D> {
    return ops.clip(this, lo, hi);
  }
  cast<T extends DType>(dtype: T): Tensor<S, T> {
    return ops.cast(this, dtype);
  }
  stopGradient(): Tensor<S, D> {
    return ops.stopGradient(this);
  }

  // ---- reductions
  sum<const A extends Axis = undefined, K extends boolean = false>(axis?: A & CheckAxes<S, A>, keepdims?: K): Tensor<ReduceShape<S, A, K>, D> {
    return ops.sum(this as AnyTensor, axis as Axis, keepdims) as never;
  }
  mean<const A extends Axis = undefined, K extends boolean = false>(axis?: A & CheckAxes<S, A>, keepdims?: K): Tensor<ReduceShape<S, A, K>, D> {
    return ops.mean(this as AnyTensor, axis as Axis, keepdims) as never;
  }
  max<const A extends Axis = undefined, K extends boolean = false>(axis?: A & CheckAxes<S, A>, keepdims?: K): Tensor<ReduceShape<S, A, K>, D> {
    return ops.max(this as AnyTensor, axis as Axis, keepdims) as never;
  }
  min<const A extends Axis = undefined, K extends boolean = false>(axis?: A & CheckAxes<S, A>, keepdims?: K): Tensor<ReduceShape<S, A, K>, D> {
    return ops.min(this as AnyTensor, axis as Axis, keepdims) as never;
  }
  logsumexp<const A extends Axis = undefined, K extends boolean = false>(axis?: A & CheckAxes<S, A>, keepdims?: K): Tensor<ReduceShape<S, A, K>, D> {
    return ops.logsumexp(this as AnyTensor, axis as Axis, keepdims) as never;
  }
  softmax<const A extends number = -1>(axis?: A & CheckAxes<S, A>): Tensor<S, D> {
    return ops.softmax(this as AnyTensor, axis as number) as never;
  }
  logSoftmax<const A extends number = -1>(axis?: A & CheckAxes<S, A>): Tensor<S, D> {
    return ops.logSoftmax(this as AnyTensor, axis as number) as never;
  }

  // ---- linear algebra and layout
  matmul<B extends Shape>(other: Tensor<B, D> & CheckMatmul<S, B>): Tensor<MatmulShape<S, B>, D> {
    return ops.matmul(this, other) as never;
  }
  /** The result shape as given; one -1 takes the remaining size, as in numpy. */
  reshape<const T extends Shape>(shape: T): Tensor<ReshapeShape<T>, D> {
    return ops.reshape(this, shape) as never;
  }
  /** Permutes axes by `perm`; without it, reverses them all (numpy `.T`). */
  transpose<const P extends readonly number[] | undefined = undefined>(
    perm?: P & (P extends readonly number[] ? CheckPermute<S, P> : unknown),
  ): Tensor<P extends readonly number[] ? PermuteShape<S, P> : Reverse<S>, D> {
    return ops.transpose(this as AnyTensor, perm as readonly number[] | undefined) as never;
  }
  permute<const P extends readonly number[]>(perm: P & CheckPermute<S, P>): Tensor<PermuteShape<S, P>, D> {
    return ops.transpose(this as AnyTensor, perm as never) as never;
  }
  broadcastTo<const T extends Shape>(shape: T & CheckBroadcastTo<S, T>): Tensor<Mutable<T>, D> {
    return ops.broadcastTo(this as AnyTensor, shape) as never;
  }
  concat<const O extends readonly Tensor<Shape, D>[], const A extends number = 0>(others: O & CheckConcat<S, O, A>, axis?: A): Tensor<ConcatShape<S, A>, D> {
    return ops.concat([this, ...(others as readonly AnyTensor[])] as AnyTensor[], axis ?? 0) as never;
  }
  /** `size` per axis; -1 takes the rest of that axis. */
  slice<const B extends readonly number[], const Z extends readonly number[]>(begin: B & CheckRank<S, B>, size: Z & CheckRank<S, Z>): Tensor<SliceShape<S, Z>, D> {
    return ops.slice(this as AnyTensor, begin as readonly number[], size) as never;
  }
  gather<I extends Shape, const A extends number = 0>(indices: Tensor<I, "int32">, axis?: A & CheckAxes<S, A>): Tensor<GatherShape<S, I, A>, D> {
    return ops.gather(this as AnyTensor, indices, (axis ?? 0) as number) as never;
  }
  /** Zero padding: `before[i]` and `after[i]` zeros around axis i. */
  pad<const B extends readonly number[], const A extends readonly number[]>(before: B & CheckRank<S, B>, after: A & CheckRank<S, A>): Tensor<Dim[], D> {
    return ops.pad(this, before as readonly number[], after as readonly number[]) as never;
  }
  /** Per-example softmax cross-entropy of these logits [..., C] against int32 labels [...]. */
  softmaxCrossEntropy(this: Tensor<S, "float32">, labels: Tensor<LabelShape<S>, "int32">): Tensor<LabelShape<S>, "float32"> {
    return ops.softmaxCrossEntropy(this as AnyTensor, labels as AnyTensor) as never;
  }
  oneHot<const N extends number>(this: Tensor<S, "int32">, depth: N): Tensor<[...S, N], "float32"> {
    return ops.oneHot(this, depth) as never;
  }

  // ---- convolution and pooling (NHWC)
  /** 2-D convolution of this NHWC tensor with filter [kh, kw, c/groups, out]. */
  conv2d<W extends Shape, const O extends ops.Conv2dOptions = {}>(w: Tensor<W, D> & CheckConv2d<S, W, GroupsOf<O>>, options?: O): Tensor<Conv2dShape<S, W>, D> {
    return ops.conv2d(this as AnyTensor, w as AnyTensor, options) as never;
  }
  maxPool2d(this: Tensor<S, D> & CheckNhwc<S>, window: number | readonly [number, number], options?: ops.Pool2dOptions): Tensor<Pool2dShape<S>, D> {
    return ops.maxPool2d(this as AnyTensor, window, options) as never;
  }
  avgPool2d(this: Tensor<S, D> & CheckNhwc<S>, window: number | readonly [number, number], options?: ops.AvgPool2dOptions): Tensor<Pool2dShape<S>, D> {
    return ops.avgPool2d(this as AnyTensor, window, options) as never;
  }
  globalAvgPool2d(this: Tensor<S, D> & CheckNhwc<S>): Tensor<GlobalPoolShape<S>, D> {
    return ops.globalAvgPool2d(this as AnyTensor) as never;
  }
}

/** Lifts a number to a scalar constant of `dtype`; passes tensors through. */
export function lift(value: AnyTensor | number, dtype: DType): AnyTensor {
  return typeof value === "number" ? ops.scalar(value, dtype) : value;
}

function paramsKey(kind: OpKind, params: OpParams[OpKind]): string | null {
  if (kind === "param") return null;
  if (kind === "constant") {
    const { data, shape, dtype } = params as OpParams["constant"];
    if (data.length > 64) return null;
    return `${dtype}${formatShape(shape)}${Array.from(data, (v) => (Object.is(v, -0) ? "-0" : String(v))).join(",")}`;
  }
  return JSON.stringify(params);
}

/** Builds (or finds) the node `kind(inputs; params)`, checking its dtype and shape rules. */
export function apply<K extends OpKind>(def: OpDef<K>, inputs: readonly AnyTensor[], params: OpParams[K]): AnyTensor {
  if (def.arity >= 0 && inputs.length !== def.arity) {
    throw new GraphError(`${def.kind}: expected ${def.arity} operands, got ${inputs.length}`);
  }
  const operands = () => inputs.map((t) => (t instanceof Tensor ? `${t.dtype}${formatShape(t.shape)}` : describe(t))).join(", ") || "none";
  for (const [i, t] of inputs.entries()) {
    if (!(t instanceof Tensor)) throw opError(def.kind, `operand ${i} is not a Tensor (got ${describe(t)})`, operands());
  }
  const dtype = def.dtype(
    inputs.map((t) => t.dtype),
    params,
  );
  if (!isDTypeResult(dtype)) throw opError(def.kind, dtype, operands());
  const shape = def.shape(
    inputs.map((t) => t.shape),
    params,
  );
  if (typeof shape === "string") throw opError(def.kind, shape, operands());
  const key = paramsKey(def.kind, params);
  const fullKey = key === null ? null : `${def.kind}|${key}|${inputs.map((t) => t.id).join(",")}`;
  if (fullKey !== null) {
    const hit = interned.get(fullKey)?.deref();
    if (hit) return hit;
  }
  // Shallow-frozen params: passes read them, and nothing may change a node after the fact.
  const node = new Tensor(def.kind, Object.freeze({ ...params }) as OpParams[OpKind], Object.freeze([...inputs]), Object.freeze([...shape]) as Shape, dtype);
  if (fullKey !== null) {
    interned.set(fullKey, new WeakRef(node));
    forget.register(node, fullKey);
  }
  recordSite(node);
  return node;
}

function isDTypeResult(value: string): value is DType {
  return value === "float32" || value === "int32" || value === "bool";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? (value.constructor?.name ?? "object") : `${typeof value} ${String(value)}`;
}
