export { sigmoid, tanh, relu, softplus, leakyRelu, elu, gelu } from "./activations.ts";
export { add, sub, mul, div, pow, maximum, minimum } from "./binary.ts";
export { cast, stopGradient } from "./cast.ts";
export { less, lessEqual, greater, greaterEqual, equal, notEqual, where } from "./compare.ts";
export { gather, scatterAdd, oneHot } from "./indexing.ts";
export { broadcastTo, reshape, transpose, permute } from "./layout.ts";
export { input, param, constant, scalar, size, initialValue } from "./leaves.ts";
export { matmul, matmulT } from "./matmul.ts";
export { sum, max, mean, min } from "./reduce.ts";
export { concat, slice, pad } from "./slicing.ts";
export { logsumexp, softmax, logSoftmax, softmaxCrossEntropy } from "./softmax.ts";
export { neg, abs, sign, reciprocal, sqrt, rsqrt, exp, log, log1p, expm1, erf, square, clip } from "./unary-math.ts";
export { conv2d, conv2dTranspose, conv2dFilterGrad, type Conv2dOptions } from "./conv2d.ts";
export { maxPool2d } from "./max-pool2d.ts";
export { avgPool2d, globalAvgPool2d, type AvgPool2dOptions } from "./avg-pool2d.ts";
export type { Pool2dOptions } from "./pool2d.ts";
export type { Padding, WindowOptions } from "./window.ts";
export {
  defineCustomOp,
  type CustomOp,
  type CustomOpSpec,
  type ElementwiseCustomOpSpec,
  type GeneralCustomOpSpec,
  type CustomVjpContext,
  type KernelArray,
  type KernelShapes,
} from "./custom.ts";
