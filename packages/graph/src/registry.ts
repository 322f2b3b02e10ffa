import type { OpDef, OpKind } from "./op.ts";
import type { Tensor } from "./tensor.ts";
import { reluOp, sigmoidOp, softplusOp, tanhOp } from "./ops/activations.ts";
import { addOp, divOp, maximumOp, minimumOp, mulOp, powOp } from "./ops/binary.ts";
import { castOp, stopGradientOp } from "./ops/cast.ts";
import { customOp } from "./ops/custom.ts";
import { equalOp, greaterEqualOp, greaterOp, lessEqualOp, lessOp, notEqualOp, whereOp } from "./ops/compare.ts";
import { gatherOp, oneHotOp, scatterAddOp } from "./ops/indexing.ts";
import { avgPool2dGradOp, avgPool2dOp } from "./ops/avg-pool2d.ts";
import { conv2dFilterGradOp, conv2dOp, conv2dTransposeOp } from "./ops/conv2d.ts";
import { maxPool2dGradOp, maxPool2dOp } from "./ops/max-pool2d.ts";
import { broadcastToOp, reshapeOp, transposeOp } from "./ops/layout.ts";
import { constantOp, inputOp, paramOp, sizeOp } from "./ops/leaves.ts";
import { matmulOp } from "./ops/matmul.ts";
import { maxOp, sumOp } from "./ops/reduce.ts";
import { concatOp, padOp, sliceOp } from "./ops/slicing.ts";
import { logSoftmaxOp, logsumexpOp, softmaxCrossEntropyOp, softmaxOp } from "./ops/softmax.ts";
import { absOp, erfOp, expm1Op, expOp, log1pOp, logOp, negOp, reciprocalOp, rsqrtOp, signOp, sqrtOp } from "./ops/unary-math.ts";

/**
 * Every op the graph knows, by kind. The mapped type makes this table exhaustive:
 * adding a kind to `OpParams` fails the compiler here until its definition exists.
 */
export const registry: { readonly [K in OpKind]: OpDef<K> } = {
  input: inputOp,
  param: paramOp,
  constant: constantOp,
  size: sizeOp,
  neg: negOp,
  exp: expOp,
  log: logOp,
  log1p: log1pOp,
  expm1: expm1Op,
  sqrt: sqrtOp,
  rsqrt: rsqrtOp,
  reciprocal: reciprocalOp,
  abs: absOp,
  sign: signOp,
  sigmoid: sigmoidOp,
  tanh: tanhOp,
  relu: reluOp,
  softplus: softplusOp,
  erf: erfOp,
  add: addOp,
  mul: mulOp,
  div: divOp,
  pow: powOp,
  maximum: maximumOp,
  minimum: minimumOp,
  less: lessOp,
  lessEqual: lessEqualOp,
  greater: greaterOp,
  greaterEqual: greaterEqualOp,
  equal: equalOp,
  notEqual: notEqualOp,
  where: whereOp,
  cast: castOp,
  stopGradient: stopGradientOp,
  sum: sumOp,
  max: maxOp,
  logsumexp: logsumexpOp,
  softmax: softmaxOp,
  logSoftmax: logSoftmaxOp,
  softmaxCrossEntropy: softmaxCrossEntropyOp,
  matmul: matmulOp,
  reshape: reshapeOp,
  transpose: transposeOp,
  broadcastTo: broadcastToOp,
  concat: concatOp,
  slice: sliceOp,
  pad: padOp,
  gather: gatherOp,
  scatterAdd: scatterAddOp,
  oneHot: oneHotOp,
  conv2d: conv2dOp,
  conv2dTranspose: conv2dTransposeOp,
  conv2dFilterGrad: conv2dFilterGradOp,
  maxPool2d: maxPool2dOp,
  maxPool2dGrad: maxPool2dGradOp,
  avgPool2d: avgPool2dOp,
  avgPool2dGrad: avgPool2dGradOp,
  custom: customOp,
};

export const opKinds = Object.keys(registry) as OpKind[];

/** The op definition behind a node. */
export function defOf<K extends OpKind>(t: Tensor & { op: K }): OpDef<K> {
  return registry[t.op] as unknown as OpDef<K>;
}

export function opDef<K extends OpKind>(kind: K): OpDef<K> {
  return registry[kind] as OpDef<K>;
}
