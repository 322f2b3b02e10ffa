import { mul, neg, scalar, sum, type AnyTensor } from "@gradfold/graph";
import { c, op, opAs, v } from "../pattern.ts";
import { rule, type Rule } from "../rule.ts";
import { mapConstant } from "./helpers.ts";

/**
 * Canonical forms: negation pulled outward and folded into constant factors, so
 * later patterns need to spell each expression one way only. All exact in IEEE
 * arithmetic (negation commutes with rounding).
 */
export const canonicalize: Rule[] = [
  rule("(-x)*y -> -(x*y)", op("mul", op("neg", v("x")), v("y")), ({ x, y }) => neg(mul(x, y))),
  rule("-(x*c) -> x*(-c)", op("neg", op("mul", v("x"), c(undefined, "k"))), ({ x, k }) =>
    mul(
      x,
      mapConstant(k, (a) => -a),
    ),
  ),
  rule("sum(-x) -> -sum(x)", opAs("s", "sum", [op("neg", v("x"))]), ({ s, x }) => (s.is("sum") ? neg(sum(x, s.params.axes, s.params.keepdims) as AnyTensor) : null)),
  rule("x+x -> x*2", op("add", v("x"), v("x")), ({ x }) => (x.dtype === "float32" ? mul(x, scalar(2)) : null)),
];
