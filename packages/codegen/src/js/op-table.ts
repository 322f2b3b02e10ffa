import type { OpKind } from "@gradfold/graph";
import type { KernelContext, NodeOf } from "./context.ts";
import { emitBroadcastTo, emitConcat, emitPad, emitSlice, emitTranspose } from "./layout.ts";
import { emitGather, emitOneHot, emitScatterAdd } from "./indexing.ts";
import { emitCustom } from "./custom.ts";
import { emitConv2d, emitConv2dFilterGrad, emitConv2dTranspose } from "./conv.ts";
import { emitAvgPool2d, emitAvgPool2dGrad, emitMaxPool2d, emitMaxPool2dGrad } from "./conv-pool.ts";
import { emitLogSoftmax, emitSoftmax, emitSoftmaxCrossEntropy } from "./softmax.ts";
import type { SourceBuilder } from "./builder.ts";

/** How the JS backend writes one op kind. */
export type JsOp<K extends OpKind> =
  /** Lives in a static buffer; no code. */
  | { readonly kind: "leaf" }
  /** Shares its operand's buffer (row-major reshape); no code. */
  | { readonly kind: "alias" }
  /** One element from its operands' values: an expression template (tinygrad's code_for_op). */
  | { readonly kind: "scalar"; readonly expr: (args: readonly string[], node: NodeOf<K>, ctx: KernelContext) => string }
  /**
   * A fold over the reduced elements: `over(body)` emits a loop over them calling
   * `body(value)` inside; returns an expression of the result.
   */
  | { readonly kind: "reduction"; readonly fold: (b: SourceBuilder, over: (body: (v: string) => void) => void) => string }
  | { readonly kind: "matmul" }
  /** A whole kernel body of its own. */
  | { readonly kind: "kernel"; readonly emit: (ctx: KernelContext, node: NodeOf<K>) => void }
  /** A broadcasting read: its element is its operand's element (the loop does the indexing). */
  | { readonly kind: "broadcast"; readonly emit: (ctx: KernelContext, node: NodeOf<K>) => void };

const unary = <K extends OpKind>(f: (a: string) => string): JsOp<K> => ({ kind: "scalar", expr: ([a]) => f(a) });
const binary = <K extends OpKind>(f: (a: string, b: string) => string): JsOp<K> => ({ kind: "scalar", expr: ([a, b]) => f(a, b) });
const compare = <K extends OpKind>(op: string): JsOp<K> => binary((a, b) => `(${a} ${op} ${b} ? 1 : 0)`);
const callHelper = <K extends OpKind>(name: "sigmoid" | "softplus" | "erf"): JsOp<K> => ({
  kind: "scalar",
  expr: ([a], _, ctx) => `${ctx.helper(name)}(${a})`,
});

/**
 * Every op kind, lowered. Float values are computed in float64 locals and rounded
 * once when stored to a Float32Array, so fused chains are at least as accurate as
 * per-op float32. The mapped type makes a new op kind fail `tsc` until handled here.
 */
export const jsOps: { readonly [K in OpKind]: JsOp<K> } = {
  input: { kind: "leaf" },
  param: { kind: "leaf" },
  constant: { kind: "leaf" },
  size: { kind: "leaf" },
  neg: unary((a) => `-${a}`),
  exp: unary((a) => `Math.exp(${a})`),
  log: unary((a) => `Math.log(${a})`),
  log1p: unary((a) => `Math.log1p(${a})`),
  expm1: unary((a) => `Math.expm1(${a})`),
  sqrt: unary((a) => `Math.sqrt(${a})`),
  rsqrt: unary((a) => `1 / Math.sqrt(${a})`),
  reciprocal: unary((a) => `1 / ${a}`),
  abs: unary((a) => `Math.abs(${a})`),
  sign: unary((a) => `Math.sign(${a})`),
  sigmoid: callHelper("sigmoid"),
  tanh: unary((a) => `Math.tanh(${a})`),
  // Math.max, not `a > 0 ? a : 0`: NaN stays NaN and −0 becomes +0, as the reference.
  relu: unary((a) => `Math.max(${a}, 0)`),
  softplus: callHelper("softplus"),
  erf: callHelper("erf"),
  add: binary((a, b) => `${a} + ${b}`),
  mul: binary((a, b) => `${a} * ${b}`),
  div: binary((a, b) => `${a} / ${b}`),
  pow: binary((a, b) => `Math.pow(${a}, ${b})`),
  // Math.max/min already return NaN when either side is NaN, as the reference does.
  maximum: binary((a, b) => `Math.max(${a}, ${b})`),
  minimum: binary((a, b) => `Math.min(${a}, ${b})`),
  less: compare("<"),
  lessEqual: compare("<="),
  greater: compare(">"),
  greaterEqual: compare(">="),
  equal: compare("==="),
  notEqual: compare("!=="),
  where: { kind: "scalar", expr: ([c, a, b]) => `(${c} ? ${a} : ${b})` },
  cast: {
    kind: "scalar",
    // ToInt32 (x | 0) truncates and maps NaN/±Infinity to 0, exactly the reference cast.
    expr: ([a], node) => (node.params.dtype === "int32" ? `(${a} | 0)` : node.params.dtype === "bool" ? `(${a} !== 0 ? 1 : 0)` : a),
  },
  stopGradient: unary((a) => a),
  sum: {
    kind: "reduction",
    fold: (b, over) => {
      b.line("let acc = 0;");
      over((v) => b.line(`acc += ${v};`));
      return "acc";
    },
  },
  max: {
    kind: "reduction",
    fold: (b, over) => {
      b.line("let acc = -Infinity;");
      over((v) => b.line(`acc = Math.max(acc, ${v});`));
      return "acc";
    },
  },
  // Max first so exp never overflows; all -inf, some +inf or NaN: the max is the answer.
  logsumexp: {
    kind: "reduction",
    fold: (b, over) => {
      b.line("let m = -Infinity;");
      over((v) => b.line(`m = Math.max(m, ${v});`));
      b.line("let s = 0;");
      b.open("if (m !== Infinity && m !== -Infinity && m === m)");
      over((v) => b.line(`s += Math.exp(${v} - m);`));
      b.close();
      return "(s === 0 ? m : m + Math.log(s))";
    },
  },
  softmax: { kind: "kernel", emit: emitSoftmax },
  logSoftmax: { kind: "kernel", emit: emitLogSoftmax },
  softmaxCrossEntropy: { kind: "kernel", emit: emitSoftmaxCrossEntropy },
  matmul: { kind: "matmul" },
  reshape: { kind: "alias" },
  transpose: { kind: "kernel", emit: emitTranspose },
  broadcastTo: { kind: "broadcast", emit: emitBroadcastTo },
  concat: { kind: "kernel", emit: emitConcat },
  slice: { kind: "kernel", emit: emitSlice },
  pad: { kind: "kernel", emit: emitPad },
  gather: { kind: "kernel", emit: emitGather },
  scatterAdd: { kind: "kernel", emit: emitScatterAdd },
  oneHot: { kind: "kernel", emit: emitOneHot },
  conv2d: { kind: "kernel", emit: emitConv2d },
  conv2dTranspose: { kind: "kernel", emit: emitConv2dTranspose },
  conv2dFilterGrad: { kind: "kernel", emit: emitConv2dFilterGrad },
  maxPool2d: { kind: "kernel", emit: emitMaxPool2d },
  maxPool2dGrad: { kind: "kernel", emit: emitMaxPool2dGrad },
  avgPool2d: { kind: "kernel", emit: emitAvgPool2d },
  avgPool2dGrad: { kind: "kernel", emit: emitAvgPool2dGrad },
  custom: { kind: "kernel", emit: emitCustom },
};
