import { GraphError, initialValue, type AnyTensor, type DType, type OpKind, type Sizes } from "@gradfold/graph";
import { bindShape, type OpParams } from "@gradfold/graph/internal";
import { ElemType, type Attribute, type ElemTypeCode } from "./onnx-proto.ts";
import { lowerAvgPool2d, lowerConv2d, lowerConv2dTranspose, lowerMaxPool2d } from "./conv-lowerings.ts";

/** What a lowering may do: name values, add nodes and constant initializers. */
export interface LowerContext {
  readonly sizes: Sizes;
  /** Trained values by param name; params without one export their initial value. */
  readonly paramValues: (name: string) => ArrayLike<number> | undefined;
  node(opType: string, inputs: readonly string[], attributes?: readonly Attribute[]): string;
  int64s(values: readonly number[]): string;
  constant(data: ArrayLike<number>, dims: readonly number[], dtype: DType): string;
  graphInput(name: string, dtype: DType, dims: readonly (number | string)[]): string;
}

type Lower<K extends OpKind> = (ctx: LowerContext, node: AnyTensor & { params: OpParams[K] }, args: readonly string[]) => string;

export const elemTypeOf: Record<DType, ElemTypeCode> = { float32: ElemType.float, int32: ElemType.int32, bool: ElemType.bool };

const simple =
  (opType: string): Lower<OpKind> =>
  (ctx, _node, args) =>
    ctx.node(opType, args);
const one = (ctx: LowerContext, dtype: DType) => ctx.constant([1], [], dtype);
const unsupported =
  (why: string): Lower<OpKind> =>
  (_ctx, node) => {
    throw new GraphError(`toOnnx: ${node.op} cannot be exported (${why})`);
  };

/** Reshape/Expand targets: symbolic dims copy the input's dim (0) or are inferred (-1). */
function shapeTarget(node: AnyTensor, target: readonly (number | string)[], input: AnyTensor, sizes: Sizes, zeroCopies: boolean): number[] {
  let inferred = false;
  return target.map((d, i) => {
    if (typeof d === "number") return d;
    if (sizes[d] !== undefined) return sizes[d];
    if (zeroCopies && input.shape[i] === d) return 0;
    if (!zeroCopies && (input.shape[input.rank - target.length + i] ?? 1) === d) return 1; // Expand keeps the input's dim
    if (zeroCopies && !inferred) {
      inferred = true;
      return -1;
    }
    throw new GraphError(`toOnnx: ${node.op} to ${JSON.stringify(target)} needs a size for ${JSON.stringify(d)} (pass sizes)`);
  });
}

function reduceAttrs(p: OpParams["sum"]): Attribute[] {
  return [
    { name: "axes", ints: p.axes },
    { name: "keepdims", int: p.keepdims ? 1 : 0 },
  ];
}

/**
 * One lowering per op kind, ONNX opset 17. The mapped type makes the table
 * exhaustive: a new graph op fails the compiler here until it is handled.
 */
export const lowerings: { [K in OpKind]: Lower<K> } = {
  input: (ctx, n) => ctx.graphInput(n.params.name, n.dtype, n.shape),
  param: (ctx, n) => {
    const value = ctx.paramValues(n.params.name) ?? initialValue(n);
    return ctx.constant(value, n.params.shape, "float32");
  },
  constant: (ctx, n) => ctx.constant(n.params.data, n.params.shape, n.params.dtype),
  size: (ctx, n) => {
    const dims = bindShape(n.params.dims, ctx.sizes, "toOnnx: size");
    return ctx.constant([dims.reduce((a, b) => a * b, 1)], [], "float32");
  },
  neg: simple("Neg"),
  exp: simple("Exp"),
  log: simple("Log"),
  log1p: (ctx, n, [x]) => ctx.node("Log", [ctx.node("Add", [x, one(ctx, n.dtype)])]),
  expm1: (ctx, n, [x]) => ctx.node("Sub", [ctx.node("Exp", [x]), one(ctx, n.dtype)]),
  sqrt: simple("Sqrt"),
  rsqrt: (ctx, _n, [x]) => ctx.node("Reciprocal", [ctx.node("Sqrt", [x])]),
  reciprocal: simple("Reciprocal"),
  abs: simple("Abs"),
  sign: simple("Sign"),
  sigmoid: simple("Sigmoid"),
  tanh: simple("Tanh"),
  relu: simple("Relu"),
  softplus: simple("Softplus"),
  erf: simple("Erf"),
  add: simple("Add"),
  mul: simple("Mul"),
  div: simple("Div"),
  pow: simple("Pow"),
  maximum: simple("Max"),
  minimum: simple("Min"),
  less: simple("Less"),
  lessEqual: simple("LessOrEqual"),
  greater: simple("Greater"),
  greaterEqual: simple("GreaterOrEqual"),
  equal: simple("Equal"),
  notEqual: (ctx, _n, args) => ctx.node("Not", [ctx.node("Equal", args)]),
  where: simple("Where"),
  cast: (ctx, n, [x]) => ctx.node("Cast", [x], [{ name: "to", int: elemTypeOf[n.params.dtype] }]),
  stopGradient: simple("Identity"),
  sum: (ctx, n, [x]) => ctx.node("ReduceSum", [x, ctx.int64s(n.params.axes)], [{ name: "keepdims", int: n.params.keepdims ? 1 : 0 }]),
  max: (ctx, n, [x]) => ctx.node("ReduceMax", [x], reduceAttrs(n.params)),
  logsumexp: (ctx, n, [x]) => ctx.node("ReduceLogSumExp", [x], reduceAttrs(n.params)),
  softmax: (ctx, n, [x]) => ctx.node("Softmax", [x], [{ name: "axis", int: n.params.axis }]),
  logSoftmax: (ctx, n, [x]) => ctx.node("LogSoftmax", [x], [{ name: "axis", int: n.params.axis }]),
  softmaxCrossEntropy: (ctx, _n, [logits, labels]) => {
    const logp = ctx.node("LogSoftmax", [logits], [{ name: "axis", int: -1 }]);
    const index = ctx.node("Unsqueeze", [labels, ctx.int64s([-1])]);
    const picked = ctx.node("GatherElements", [logp, index], [{ name: "axis", int: -1 }]);
    return ctx.node("Neg", [ctx.node("Squeeze", [picked, ctx.int64s([-1])])]);
  },
  matmul: (ctx, n, [a, b]) => {
    const swapLast = (x: string, rank: number) => {
      const perm = Array.from({ length: rank }, (_, i) => i);
      [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
      return ctx.node("Transpose", [x], [{ name: "perm", ints: perm }]);
    };
    const [ta, tb] = [n.inputs[0], n.inputs[1]];
    return ctx.node("MatMul", [n.params.transA ? swapLast(a, ta.rank) : a, n.params.transB ? swapLast(b, tb.rank) : b]);
  },
  reshape: (ctx, n, [x]) => ctx.node("Reshape", [x, ctx.int64s(shapeTarget(n, n.params.shape, n.inputs[0], ctx.sizes, true))]),
  transpose: (ctx, n, [x]) => ctx.node("Transpose", [x], [{ name: "perm", ints: n.params.perm }]),
  broadcastTo: (ctx, n, [x]) => ctx.node("Expand", [x, ctx.int64s(shapeTarget(n, n.params.shape, n.inputs[0], ctx.sizes, false))]),
  concat: (ctx, n, args) => ctx.node("Concat", args, [{ name: "axis", int: n.params.axis }]),
  slice: (ctx, n, [x]) => {
    const axes = n.params.begin.map((_, i) => i);
    const ends = n.params.size.map((z, i) => (typeof z === "number" ? n.params.begin[i] + z : 2 ** 53 - 1));
    return ctx.node("Slice", [x, ctx.int64s(n.params.begin), ctx.int64s(ends), ctx.int64s(axes)]);
  },
  pad: (ctx, n, [x]) => ctx.node("Pad", [x, ctx.int64s([...n.params.before, ...n.params.after])]),
  gather: (ctx, n, [x, indices]) => ctx.node("Gather", [x, indices], [{ name: "axis", int: n.params.axis }]),
  scatterAdd: unsupported("a training-only op: the gradient of gather") as Lower<"scatterAdd">,
  oneHot: (ctx, n, [indices]) =>
    // onnxruntime implements OneHot for int64 indices and depth.
    ctx.node(
      "OneHot",
      [ctx.node("Cast", [indices], [{ name: "to", int: ElemType.int64 }]), ctx.int64s([n.params.depth]), ctx.constant([0, 1], [2], "float32")],
      [{ name: "axis", int: -1 }],
    ),
  conv2d: lowerConv2d,
  conv2dTranspose: lowerConv2dTranspose,
  conv2dFilterGrad: unsupported("a training-only op: the filter-gradient of conv2d") as Lower<"conv2dFilterGrad">,
  maxPool2d: lowerMaxPool2d,
  maxPool2dGrad: unsupported("a training-only op: the gradient of maxPool2d") as Lower<"maxPool2dGrad">,
  avgPool2d: lowerAvgPool2d,
  avgPool2dGrad: unsupported("a training-only op: the gradient of avgPool2d") as Lower<"avgPool2dGrad">,
  // A user-defined op's semantics are JS functions in this process: ONNX has no operator to carry them.
  custom: (_ctx, n) => {
    throw new GraphError(
      `toOnnx: custom op ${JSON.stringify(n.params.name)} (#${n.params.id}) cannot be exported: it is defined by JS ` +
        `functions (defineCustomOp) that ONNX cannot carry; build the exported graph from built-in ops`,
    );
  },
};
