/**
 * The graph ops the transforms use, typed loosely as "float32 tensor or number".
 * The graph's own signatures compute static shapes, which buy nothing here:
 * every update has its param's shape, checked by the optimizer at run time.
 */
import * as g from "@gradfold/graph";
import type { AnyTensor } from "@gradfold/graph";
import type { FloatTensor, Scalar } from "./types.ts";

type Operand = FloatTensor | number;
type Bool = g.Tensor<g.Shape, "bool">;
const t = (x: Operand): AnyTensor => (typeof x === "number" ? g.scalar(x) : x);

export const add = (a: Operand, b: Operand): FloatTensor => g.add(t(a), t(b)) as FloatTensor;
export const sub = (a: Operand, b: Operand): FloatTensor => g.sub(t(a), t(b)) as FloatTensor;
export const mul = (a: Operand, b: Operand): FloatTensor => g.mul(t(a), t(b)) as FloatTensor;
export const div = (a: Operand, b: Operand): FloatTensor => g.div(t(a), t(b)) as FloatTensor;
export const pow = (a: Operand, b: Operand): FloatTensor => g.pow(t(a), t(b)) as FloatTensor;
export const maximum = (a: Operand, b: Operand): FloatTensor => g.maximum(t(a), t(b)) as FloatTensor;
export const minimum = (a: Operand, b: Operand): FloatTensor => g.minimum(t(a), t(b)) as FloatTensor;
export const less = (a: Operand, b: Operand): Bool => g.less(t(a), t(b)) as Bool;
export const lessEqual = (a: Operand, b: Operand): Bool => g.lessEqual(t(a), t(b)) as Bool;
export const greater = (a: Operand, b: Operand): Bool => g.greater(t(a), t(b)) as Bool;
export const greaterEqual = (a: Operand, b: Operand): Bool => g.greaterEqual(t(a), t(b)) as Bool;
export const equal = (a: Operand, b: Operand): Bool => g.equal(t(a), t(b)) as Bool;
export const where = (c: Bool, a: Operand, b: Operand): FloatTensor => g.where(c, t(a), t(b)) as FloatTensor;
export const neg = (a: FloatTensor): FloatTensor => g.neg(a) as FloatTensor;
export const sqrt = (a: FloatTensor): FloatTensor => g.sqrt(a) as FloatTensor;
export const abs = (a: FloatTensor): FloatTensor => g.abs(a) as FloatTensor;
export const sign = (a: FloatTensor): FloatTensor => g.sign(a) as FloatTensor;
export const square = (a: FloatTensor): FloatTensor => g.mul(a as AnyTensor, a) as FloatTensor;
/** Sum of all elements, as a scalar. */
export const sumAll = (a: FloatTensor): FloatTensor => g.sum(a as AnyTensor) as FloatTensor;

/** `a·x + b·y` for number coefficients, skipping zero terms (an exponential moving average is `ema(β, m, 1-β, g)`). */
export function lincomb(a: Operand, x: FloatTensor, b: Operand, y: FloatTensor): FloatTensor {
  const ax = a === 0 ? null : a === 1 ? x : mul(x, a);
  const by = b === 0 ? null : b === 1 ? y : mul(y, b);
  if (ax && by) return add(ax, by);
  return ax ?? by ?? mul(x, 0);
}

/** 1 − x, folded in JS when x is a number. */
export const oneMinus = (x: Operand): Operand => (typeof x === "number" ? 1 - x : sub(1, x));

/** Narrows a scalar-valued result to `Scalar`, for schedules (the ops above type results as any-shaped). */
export const asScalar = (x: FloatTensor | number): Scalar => (typeof x === "number" ? g.scalar(x) : x) as Scalar;
