import type { OpKind } from "@gradfold/graph";

/**
 * How each op is lowered into kernels, independent of the backend:
 * - leaf: lives in a static buffer (input, param, constant, size);
 * - alias: a view of its operand's buffer, no kernel (reshape of row-major data);
 * - elementwise: fuses into loop nests and epilogues/prologues;
 * - broadcast: broadcastTo, an identity read with broadcasting: inside an elementwise
 *   loop it is just an indexed load, standalone a strided copy;
 * - reduction: sum/max/logsumexp, with an elementwise prologue and epilogue;
 * - matmul: the tiled matmul kernel with an elementwise epilogue;
 * - single: its own kernel template.
 * The mapped type makes a new op kind fail `tsc` here until it is classified.
 */
export type OpClass = "leaf" | "alias" | "elementwise" | "broadcast" | "reduction" | "matmul" | "single";

export const opClass: { readonly [K in OpKind]: OpClass } = {
  input: "leaf",
  param: "leaf",
  constant: "leaf",
  size: "leaf",
  neg: "elementwise",
  exp: "elementwise",
  log: "elementwise",
  log1p: "elementwise",
  expm1: "elementwise",
  sqrt: "elementwise",
  rsqrt: "elementwise",
  reciprocal: "elementwise",
  abs: "elementwise",
  sign: "elementwise",
  sigmoid: "elementwise",
  tanh: "elementwise",
  relu: "elementwise",
  softplus: "elementwise",
  erf: "elementwise",
  add: "elementwise",
  mul: "elementwise",
  div: "elementwise",
  pow: "elementwise",
  maximum: "elementwise",
  minimum: "elementwise",
  less: "elementwise",
  lessEqual: "elementwise",
  greater: "elementwise",
  greaterEqual: "elementwise",
  equal: "elementwise",
  notEqual: "elementwise",
  where: "elementwise",
  cast: "elementwise",
  stopGradient: "elementwise",
  sum: "reduction",
  max: "reduction",
  logsumexp: "reduction",
  softmax: "single",
  logSoftmax: "single",
  softmaxCrossEntropy: "single",
  matmul: "matmul",
  reshape: "alias",
  transpose: "single",
  broadcastTo: "broadcast",
  concat: "single",
  slice: "single",
  pad: "single",
  gather: "single",
  scatterAdd: "single",
  oneHot: "single",
  conv2d: "single",
  conv2dTranspose: "single",
  conv2dFilterGrad: "single",
  maxPool2d: "single",
  maxPool2dGrad: "single",
  avgPool2d: "single",
  avgPool2dGrad: "single",
  // User-defined ops are opaque: their own kernel calling the user's function (js/custom.ts).
  custom: "single",
};

/** Ops that compute one element from the same element of their operands (after broadcasting). */
export const fusesElementwise = (node: { readonly op: OpKind }): boolean => opClass[node.op] === "elementwise" || opClass[node.op] === "broadcast";
