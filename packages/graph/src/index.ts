/**
 * Typed expression graph: build a model as graph, differentiate it (`grad`, `jvp`), evaluate it in float64, check gradients.
 *
 * @module @gradfold/graph
 */
// The user's API: build graphs, differentiate, evaluate, check. Compiler internals (node
// construction, the op registry, traversal, shape helpers) are in `./internal.ts`, the
// `@gradfold/graph/internal` entry that optimize, codegen, nn, optimizers and onnx use.
export type { Dim, Shape, ConcreteShape, Sizes } from "./shape.ts";
export { formatShape, numel } from "./shape.ts";
export type { DType } from "./dtype.ts";
export { GraphError } from "./errors.ts";
export type { OpKind, ParamInit } from "./op.ts";
export { Tensor, type AnyTensor } from "./tensor.ts";
export type { FloatTensor, Scalar, Update } from "./update.ts";
export type * from "./shape-types.ts";
export type * from "./window-types.ts";
export * from "./ops/index.ts";
export { grad } from "./grad.ts";
export { jvp, type Tangent } from "./jvp.ts";
export { evaluate, type Feeds, type FeedValue } from "./evaluate.ts";
export { mulberry32 } from "./random.ts";
export { checkGrad, type CheckGradOptions, type CheckGradReport, type CheckGradEntry } from "./check-grad.ts";
export { format } from "./format.ts";
