import {
  abs,
  add,
  broadcastTo,
  exp,
  expm1,
  log1p,
  logSoftmax,
  logsumexp,
  maximum,
  mul,
  neg,
  reshape,
  sigmoid,
  softmax,
  softmaxCrossEntropy,
  softplus,
  sum,
  type AnyTensor,
} from "@gradfold/graph";
import { constantValue, sameShape } from "@gradfold/graph/internal";
import { c, op, opAs, v, when, type Bindings } from "../pattern.ts";
import { rule, type Rule } from "../rule.ts";

/**
 * −Σ_classes onehot(y)·logSoftmax(x) is the per-example softmax cross-entropy.
 * `node` sums over the class axis and maybe batch axes too; those stay a sum.
 */
function crossEntropy({ x, y, ls, oh }: Bindings, node: AnyTensor): AnyTensor | null {
  if (!node.is("sum") || !ls.is("logSoftmax") || !oh.is("oneHot")) return null;
  const last = x.rank - 1;
  if (ls.params.axis !== last || oh.params.depth !== x.shape[last] || y.dtype !== "int32") return null;
  const { axes, keepdims } = node.params;
  if (!axes.includes(last)) return null;
  const perExample = softmaxCrossEntropy(x, y) as AnyTensor;
  const batchAxes = axes.filter((a) => a !== last);
  const summed = batchAxes.length ? (sum(perExample, batchAxes, keepdims) as AnyTensor) : perExample;
  return neg(keepdims ? reshape(summed, node.shape) : summed);
}

/**
 * The gradient reverse mode builds for log(Σ exp(x)): exp(x)·broadcast(g / Σ exp(x)),
 * inf·0 once exp overflows. Rewritten as broadcast(g)·exp(x − logsumexp(x)), i.e.
 * g times softmax(x), computed without overflow.
 */
function logsumexpGradient({ b, e, x }: Bindings): AnyTensor | null {
  if (!b.is("broadcastTo")) return null;
  let inner = b.inputs[0];
  if (inner.is("reshape")) inner = inner.inputs[0];
  if (!inner.is("div")) return null;
  const [g, total] = inner.inputs;
  if (!total.is("sum") || total.inputs[0] !== e) return null;
  const { axes, keepdims } = total.params;
  const kept = x.shape.map((d: unknown, i: number) => (axes.includes(i) ? 1 : d));
  const lse = reshape(logsumexp(x, axes, keepdims) as AnyTensor, kept);
  const gKept = reshape(g, kept);
  return mul(broadcastTo(gKept, x.shape), exp(add(x, neg(broadcastTo(lse, x.shape)))));
}

/**
 * exp(x) / Σ_axis exp(x), the denominator maybe reshaped and broadcast back (or kept
 * with keepdims and broadcast by the division itself): softmax along that one axis.
 */
function manualSoftmax({ e, x, d }: Bindings): AnyTensor | null {
  let den = d;
  if (den.is("broadcastTo")) den = den.inputs[0];
  if (den.is("reshape")) den = den.inputs[0];
  if (!den.is("sum") || den.inputs[0] !== e || den.params.axes.length !== 1) return null;
  const axis = den.params.axes[0];
  const kept = x.shape.map((dim: unknown, i: number) => (i === axis ? 1 : dim));
  // Whatever wrapped the sum must only have put the reduced axis back as size 1.
  const unwrapped = d.is("broadcastTo") ? d.inputs[0] : d;
  if (unwrapped !== den && !sameShape(unwrapped.shape, kept)) return null;
  if (unwrapped === den && !den.params.keepdims) return null;
  return softmax(x, axis);
}

/** Binary cross-entropy on logits: max(x, 0) − x·t + log1p(e^−|x|), finite for any x. */
export function bceWithLogits(x: AnyTensor, t: AnyTensor): AnyTensor {
  return add(add(maximum(x, 0), neg(mul(x, t))), log1p(exp(neg(abs(x)))));
}

/**
 * Values that are positive in exact arithmetic but may underflow to 0 in floating
 * point: the denominators reverse mode creates for log(softmax), log(σ), log(1−σ).
 */
function positive(t: AnyTensor): boolean {
  if (t.op === "softmax" || t.op === "sigmoid" || t.op === "exp" || t.op === "softplus") return true;
  // 1 − σ(x), written 1 + (−σ(x))
  return (
    t.op === "add" &&
    t.inputs.some((i) => i.is("constant") && i.params.data.length === 1 && i.params.data[0] === 1) &&
    t.inputs.some((i) => i.op === "neg" && i.inputs[0].op === "sigmoid")
  );
}
/** −1 as a constant, or still spelled −(1) when folding has not run. */
const isMinusOne = (t: AnyTensor): boolean => constantValue(t) === -1 || (t.op === "neg" && constantValue(t.inputs[0]) === 1);
const pos = () => when("s", positive);

const oneMinus = (p: ReturnType<typeof v>) => op("add", c(1), op("neg", p));
const logSigmoid = (x: ReturnType<typeof v>) => op("neg", op("softplus", op("neg", x)));
const logOneMinusSigmoid = (x: ReturnType<typeof v>) => op("neg", op("softplus", x));

/**
 * Rewrites of expressions that overflow, underflow or cancel in floating point into
 * forms the graph computes stably (and whose gradients are stable too, since each
 * replacement op has a stable vector-Jacobian rule). Order matters: the first rule
 * that matches wins, so log(1 − σ(x)) is tried before log(1 + x).
 */
export const stabilize: Rule[] = [
  rule("log(softmax(x)) -> logSoftmax(x)", op("log", opAs("s", "softmax", [v("x")])), ({ s, x }) => (s.is("softmax") ? logSoftmax(x, s.params.axis) : null)),
  rule("log(sum(exp(x))) -> logsumexp(x)", op("log", opAs("s", "sum", [op("exp", v("x"))])), ({ s, x }) =>
    s.is("sum") ? (logsumexp(x, s.params.axes, s.params.keepdims) as AnyTensor) : null,
  ),
  rule("log(sigmoid(x)) -> -softplus(-x)", op("log", op("sigmoid", v("x"))), ({ x }) => neg(softplus(neg(x)))),
  rule("log(1-sigmoid(x)) -> -softplus(x)", op("log", oneMinus(op("sigmoid", v("x")))), ({ x }) => neg(softplus(x))),
  rule("log(1+exp(x)) -> softplus(x)", op("log", op("add", c(1), op("exp", v("x")))), ({ x }) => softplus(x)),
  // exp(−|y|) ≤ 1 cannot overflow: that log1p (BCE on logits' own term) is left as written.
  rule("log1p(exp(x)) -> softplus(x)", op("log1p", op("exp", v("x"))), ({ x }) => (x.op === "neg" && x.inputs[0].op === "abs" ? null : softplus(x))),
  rule("exp(x)/sum(exp(x)) -> softmax(x)", op("div", opAs("e", "exp", [v("x")]), v("d")), manualSoftmax),
  rule("1/(1+exp(-x)) -> sigmoid(x)", op("div", c(1), op("add", c(1), op("exp", op("neg", v("x"))))), ({ x }) => sigmoid(x)),
  rule("reciprocal(1+exp(-x)) -> sigmoid(x)", op("reciprocal", op("add", c(1), op("exp", op("neg", v("x"))))), ({ x }) => sigmoid(x)),
  rule("sqrt(x*x) -> abs(x)", op("sqrt", op("mul", v("x"), v("x"))), ({ x }) => abs(x)),
  rule("log(1+x) -> log1p(x)", op("log", op("add", c(1), v("x"))), ({ x }) => log1p(x)),
  rule("exp(x)-1 -> expm1(x)", op("add", op("exp", v("x")), when("one", isMinusOne)), ({ x }) => expm1(x)),
  rule("log(exp(x)) -> x", op("log", op("exp", v("x"))), ({ x }) => x),
  rule("sum(onehot(y)*logSoftmax(x)) -> -softmaxCrossEntropy(x, y)", op("sum", op("mul", opAs("oh", "oneHot", [v("y")]), opAs("ls", "logSoftmax", [v("x")]))), crossEntropy),
  rule(
    "t*log(sigmoid(x)) + (1-t)*log(1-sigmoid(x)) -> -bceWithLogits(x, t)",
    op("add", op("mul", v("t"), logSigmoid(v("x"))), op("mul", oneMinus(v("t")), logOneMinusSigmoid(v("x")))),
    ({ x, t }) => neg(bceWithLogits(x, t)),
  ),
  // The gradient side: reverse mode through log(p) divides by p, then multiplies by p
  // again in p's own rule. Cancelling the pair (exact when p > 0, which these p are)
  // removes the 0/0 and inf·0 where p underflows, so optimize(grad(naive)) is stable too.
  rule("s*(y/s) -> y (s > 0: softmax, sigmoid, 1-sigmoid, exp, softplus)", op("mul", pos(), op("div", v("y"), v("s"))), ({ y }) => y),
  rule("s*(y/s + r) -> y + s*r (s > 0)", op("mul", pos(), op("add", op("div", v("y"), v("s")), v("r"))), ({ y, s, r }) => add(y, mul(s, r))),
  rule("(s*z)*(y/s + r) -> z*y + (s*z)*r (s > 0)", op("mul", opAs("p", "mul", [pos(), v("z")]), op("add", op("div", v("y"), v("s")), v("r"))), ({ p, z, y, r }) =>
    add(mul(z, y), mul(p, r)),
  ),
  rule("exp(x)*broadcast(g/sum(exp(x))) -> broadcast(g)*exp(x - logsumexp(x))", op("mul", opAs("b", "broadcastTo", [v("q")]), opAs("e", "exp", [v("x")])), logsumexpGradient),
  rule("(y/(1+exp(x)))*exp(x) -> y*sigmoid(x)", op("mul", op("div", v("y"), op("add", c(1), opAs("e", "exp", [v("x")]))), v("e")), ({ y, x }) => mul(y, sigmoid(x))),
  rule("(y/s)*(s*z) -> y*z (s > 0)", op("mul", op("div", v("y"), pos()), op("mul", v("s"), v("z"))), ({ y, z }) => mul(y, z)),
];
