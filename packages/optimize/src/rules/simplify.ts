import { abs, broadcastTo, cast, matmulT, mul, neg, reciprocal, reshape, scalar, size, sqrt, transpose, type AnyTensor, type Dim } from "@gradfold/graph";
import { sameShape } from "@gradfold/graph/internal";
import { c, op, opAs, v, type Bindings } from "../pattern.ts";
import { rule, type Rule, type RuleContext } from "../rule.ts";
import { isPowerOfTwo, uniformValue, zero } from "./helpers.ts";

/** x / c as x · (1/c): bit-exact only when c is a power of two. */
function divideByConstant({ x, k }: Bindings, _node: AnyTensor, ctx: RuleContext): AnyTensor | null {
  const value = uniformValue(k);
  if (value === undefined || (!ctx.unsafe && !isPowerOfTwo(value))) return null;
  return mul(x, scalar(1 / value, x.dtype));
}

/** (x · a) · b as x · (a·b): exact when either factor is a power of two (scaling by 2^k commutes with rounding). */
function mergeScales({ x, a, b }: Bindings, _node: AnyTensor, ctx: RuleContext): AnyTensor | null {
  const [va, vb] = [uniformValue(a), uniformValue(b)];
  if (va === undefined || vb === undefined) return null;
  if (!ctx.unsafe && !isPowerOfTwo(va) && !isPowerOfTwo(vb)) return null;
  return mul(x, scalar(va * vb, x.dtype));
}

/** transpose(transpose(x, p), q) is transpose(x, p∘q); the identity drops out. */
function composeTransposes({ inner, outer, x }: Bindings): AnyTensor {
  if (!inner.is("transpose") || !outer.is("transpose")) throw new Error("composeTransposes: expected transposes");
  const p = inner.params.perm;
  return transpose(
    x,
    outer.params.perm.map((i) => p[i]),
  );
}

/**
 * sum(broadcastTo(x, S), axes) where every summed axis is one the broadcast created:
 * each output element is count copies of one x element, so the sum is count·x.
 */
function sumOfBroadcast({ b, x }: Bindings, node: AnyTensor): AnyTensor | null {
  if (!node.is("sum") || !b.is("broadcastTo")) return null;
  const { axes, keepdims } = node.params;
  const full = b.shape;
  const lead = full.length - x.rank;
  const aligned: Dim[] = [...new Array<Dim>(lead).fill(1), ...x.shape];
  if (!axes.every((a) => aligned[a] === 1 && full[a] !== 1)) return null;
  if (x.dtype !== "float32") return null;
  const counted: Dim[] = axes.map((a) => full[a]);
  const squeezed = reshape(x, keepdims ? aligned : aligned.filter((_, i) => !axes.includes(i)));
  return mul(broadcastTo(squeezed, node.shape), size(counted));
}

/** sum over axes that all have size 1 only drops (or keeps) them: a reshape. */
function sumOfUnitAxes({ x }: Bindings, node: AnyTensor): AnyTensor | null {
  if (!node.is("sum")) return null;
  if (!node.params.axes.every((a) => x.shape[a] === 1)) return null;
  return reshape(x, node.shape);
}

/** A transpose that swaps the last two axes and keeps the leading (batch) axes: what matmul's flags express. */
const swapsLastTwo = (t: AnyTensor): boolean => {
  if (!t.is("transpose")) return false;
  const p = t.params.perm;
  const n = p.length;
  return n >= 2 && p[n - 1] === n - 2 && p[n - 2] === n - 1 && p.slice(0, -2).every((a, i) => a === i);
};

/** matmul(transpose(a), b) reads a with the other flag instead of materialising the transpose. */
function absorbTranspose({ m }: Bindings): AnyTensor | null {
  if (!m.is("matmul")) return null;
  const [a, b] = m.inputs;
  const { transA, transB } = m.params;
  if (swapsLastTwo(a)) return matmulT(a.inputs[0], b, !transA, transB);
  if (swapsLastTwo(b)) return matmulT(a, b.inputs[0], transA, !transB);
  return null;
}

const isBool = (t: AnyTensor) => t.dtype === "bool";

/**
 * Algebraic identities. All keep IEEE semantics unless marked unsafe (then only with
 * `unsafe: true`) — up to the sign of a zero result (x + 0 keeps x = −0 as −0), as in
 * every graph compiler that folds x + 0.
 */
export const simplify: Rule[] = [
  rule("x*1 -> x", op("mul", v("x"), c(1)), ({ x }) => x),
  rule("x+0 -> x", op("add", v("x"), c(0)), ({ x }) => x),
  rule("x-0 -> x", op("add", v("x"), op("neg", c(0))), ({ x }) => x),
  rule("x/1 -> x", op("div", v("x"), c(1)), ({ x }) => x),
  rule("x*0 -> 0", op("mul", v("x"), c(0)), ({ x }) => zero(x.dtype), { unsafe: true }),
  rule("x-x -> 0", op("add", v("x"), op("neg", v("x"))), ({ x }) => zero(x.dtype), { unsafe: true }),
  rule("-(-x) -> x", op("neg", op("neg", v("x"))), ({ x }) => x),
  rule("x*-1 -> -x", op("mul", v("x"), c(-1)), ({ x }) => neg(x)),
  rule("x/c -> x*(1/c) (c a power of two, or unsafe)", op("div", v("x"), c(undefined, "k")), divideByConstant),
  rule("(x*a)*b -> x*(a*b) (a or b a power of two, or unsafe)", op("mul", op("mul", v("x"), c(undefined, "a")), c(undefined, "b")), mergeScales),
  rule("x^1 -> x", op("pow", v("x"), c(1)), ({ x }) => x),
  rule("x^2 -> x*x", op("pow", v("x"), c(2)), ({ x }) => mul(x, x)),
  rule("x^-1 -> 1/x", op("pow", v("x"), c(-1)), ({ x }) => reciprocal(x), { unsafe: true }),
  rule("x^0.5 -> sqrt(x)", op("pow", v("x"), c(0.5)), ({ x }) => sqrt(x), { unsafe: true }),
  rule("exp(log(x)) -> x", op("exp", op("log", v("x"))), ({ x }) => x, { unsafe: true }),
  rule("where(c, x, x) -> x", op("where", v("c"), v("x"), v("x")), ({ x }) => x),
  rule("where(true, x, y) -> x", op("where", c(1), v("x"), v("y")), ({ x }) => x),
  rule("where(false, x, y) -> y", op("where", c(0), v("x"), v("y")), ({ y }) => y),
  rule("maximum(x, x) -> x", op("maximum", v("x"), v("x")), ({ x }) => x),
  rule("minimum(x, x) -> x", op("minimum", v("x"), v("x")), ({ x }) => x),
  rule("relu(relu(x)) -> relu(x)", op("relu", opAs("r", "relu", [v("x")])), ({ r }) => r),
  rule("abs(abs(x)) -> abs(x)", op("abs", opAs("a", "abs", [v("x")])), ({ a }) => a),
  rule("abs(-x) -> abs(x)", op("abs", op("neg", v("x"))), ({ x }) => abs(x)),
  rule("transpose(transpose(x)) -> transpose(x)", opAs("outer", "transpose", [opAs("inner", "transpose", [v("x")])]), composeTransposes),
  rule("matmul(transpose(a), b) -> matmul(a, b) with the transpose flag flipped", opAs("m", "matmul", [v("a"), v("b")]), absorbTranspose),
  rule("reshape(reshape(x)) -> reshape(x)", op("reshape", op("reshape", v("x"))), ({ x }, node) => reshape(x, node.shape)),
  rule("reshape(x) to x's shape -> x", op("reshape", v("x")), ({ x }, node) => (sameShape(x.shape, node.shape) ? x : null)),
  rule("broadcastTo(broadcastTo(x)) -> broadcastTo(x)", op("broadcastTo", op("broadcastTo", v("x"))), ({ x }, node) => broadcastTo(x, node.shape)),
  rule("reshape(broadcastTo(scalar)) -> broadcastTo(scalar)", op("reshape", op("broadcastTo", v("x"))), ({ x }, node) =>
    x.shape.every((d: unknown) => d === 1) ? broadcastTo(reshape(x, []), node.shape) : null,
  ),
  rule("broadcastTo(x) to x's shape -> x", op("broadcastTo", v("x")), ({ x }, node) => (sameShape(x.shape, node.shape) ? x : null)),
  rule(
    "sum over no axes -> x",
    opAs("s", "sum", [v("x")], (t) => t.is("sum") && t.params.axes.length === 0),
    ({ x }) => x,
  ),
  rule("sum over size-1 axes -> reshape(x)", op("sum", v("x")), sumOfUnitAxes),
  rule("sum(broadcastTo(x)) over broadcast axes -> count*x", op("sum", opAs("b", "broadcastTo", [v("x")])), sumOfBroadcast),
  rule("cast(cast(x: bool)) -> cast(x)", op("cast", opAs("inner", "cast", [v("x")])), ({ x }, node) => (isBool(x) ? cast(x, node.dtype) : null)),
  rule(
    "cast(cast(x: int32, float32), int32) -> x",
    op("cast", op("cast", v("x"))),
    ({ x }, node) => (x.dtype === "int32" && node.dtype === "int32" && node.inputs[0].dtype === "float32" ? x : null),
    { unsafe: true },
  ),
];
