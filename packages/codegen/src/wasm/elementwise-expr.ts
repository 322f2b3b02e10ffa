/**
 * A tiny expression language for elementwise kernels: a DAG over equally long f32
 * arrays, f32 scalars passed at call time, and constants. Shared subexpressions
 * (the same object used twice) are computed once per element.
 */
export type Expr =
  | { readonly op: "array"; readonly index: number }
  | { readonly op: "scalar"; readonly index: number }
  | { readonly op: "const"; readonly value: number }
  | { readonly op: UnaryOp; readonly x: Expr }
  | { readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  /** a > b ? x : y (false when either is NaN). */
  | { readonly op: "selectGt"; readonly a: Expr; readonly b: Expr; readonly x: Expr; readonly y: Expr };

export type UnaryOp = "neg" | "abs" | "sqrt" | "exp" | "log" | "sigmoid" | "tanh";
export type BinaryOp = "add" | "sub" | "mul" | "div" | "min" | "max";

/** Builders, so kernels read as formulas: `add(mul(scalar(0), array(1)), array(0))`. */
export const array = (index: number): Expr => ({ op: "array", index });
export const scalar = (index: number): Expr => ({ op: "scalar", index });
export const constant = (value: number): Expr => ({ op: "const", value });
const unary = (op: UnaryOp) => (x: Expr): Expr => ({ op, x });
const binary = (op: BinaryOp) => (a: Expr, b: Expr): Expr => ({ op, a, b });
export const neg = unary("neg"), abs = unary("abs"), sqrt = unary("sqrt");
/** exp, log, sigmoid and tanh are polynomial approximations in Wasm: a few ulp (see exp-approx.ts). */
export const exp = unary("exp"), log = unary("log"), sigmoid = unary("sigmoid"), tanh = unary("tanh");
export const add = binary("add"), sub = binary("sub"), mul = binary("mul"), div = binary("div");
export const min = binary("min"), max = binary("max");
export const selectGt = (a: Expr, b: Expr, x: Expr, y: Expr): Expr => ({ op: "selectGt", a, b, x, y });
export const relu = (x: Expr): Expr => max(x, constant(0));

/** The float64 meaning of an expression at one element (the tests' oracle). */
export function evaluateExpr(e: Expr, arrays: ArrayLike<number>[], scalars: readonly number[], i: number): number {
  const f = (x: Expr) => evaluateExpr(x, arrays, scalars, i);
  switch (e.op) {
    case "array": return arrays[e.index][i];
    case "scalar": return scalars[e.index];
    case "const": return e.value;
    case "selectGt": return f(e.a) > f(e.b) ? f(e.x) : f(e.y);
    default:
      return "x" in e ? unaryMeaning[e.op](f(e.x)) : binaryMeaning[e.op](f(e.a), f(e.b));
  }
}

const unaryMeaning: { [K in UnaryOp]: (x: number) => number } = {
  neg: (x) => -x, abs: Math.abs, sqrt: Math.sqrt, exp: Math.exp, log: Math.log, sigmoid: (x) => 1 / (1 + Math.exp(-x)), tanh: Math.tanh,
};
const binaryMeaning: { [K in BinaryOp]: (a: number, b: number) => number } = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
  // Wasm min/max propagate NaN, like Math.min/max.
  min: Math.min, max: Math.max,
};
