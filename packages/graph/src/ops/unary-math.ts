import type { DType } from "../dtype.ts";
import { GraphError } from "../errors.ts";
import { defineOp, type OpDef, type Trait } from "../op.ts";
import type { Shape } from "../shape.ts";
import { apply, type AnyTensor, type Tensor } from "../tensor.ts";
import { scalar } from "./leaves.ts";
import { floatOnly, numeric } from "./rules.ts";
import { greater, where } from "./compare.ts";
import { add, div, maximum, minimum, mul } from "./binary.ts";

const unary = { arity: 1, traits: ["elementwise", "unary"] as Trait[], shape: ([x]: readonly Shape[]) => x, dtype: floatOnly };

export const negOp = defineOp("neg", { ...unary, dtype: numeric, scalar: (x) => -x, vjp: ({ grad }) => [neg(grad)] });
export const absOp = defineOp("abs", { ...unary, dtype: numeric, scalar: Math.abs, vjp: ({ inputs: [x], grad }) => [mul(grad, sign(x))] });
// Piecewise constant: no cotangent flows through it.
export const signOp = defineOp("sign", {
  ...unary,
  traits: [...unary.traits, "nondifferentiable"],
  dtype: numeric,
  scalar: Math.sign,
  vjp: () => [null],
});
// d(1/x) = -1/x² dx
export const reciprocalOp = defineOp("reciprocal", { ...unary, scalar: (x) => 1 / x, vjp: ({ out, grad }) => [neg(mul(grad, mul(out, out)))] });
// d√x = dx / (2√x)
export const sqrtOp = defineOp("sqrt", { ...unary, scalar: Math.sqrt, vjp: ({ out, grad }) => [div(grad, mul(out, 2))] });
// d x^(-1/2) = -½ x^(-3/2) dx
export const rsqrtOp = defineOp("rsqrt", {
  ...unary,
  scalar: (x) => 1 / Math.sqrt(x),
  vjp: ({ out, grad }) => [mul(grad, mul(mul(out, mul(out, out)), -0.5))],
});
export const expOp = defineOp("exp", { ...unary, scalar: Math.exp, vjp: ({ out, grad }) => [mul(grad, out)] });
export const logOp = defineOp("log", { ...unary, scalar: Math.log, vjp: ({ inputs: [x], grad }) => [div(grad, x)] });
export const log1pOp = defineOp("log1p", { ...unary, scalar: Math.log1p, vjp: ({ inputs: [x], grad }) => [div(grad, add(x, 1))] });
export const expm1Op = defineOp("expm1", { ...unary, scalar: Math.expm1, vjp: ({ out, grad }) => [mul(grad, add(out, 1))] });
// d erf(x) = 2/√π · exp(-x²) dx
export const erfOp = defineOp("erf", {
  ...unary,
  scalar: erfScalar,
  vjp: ({ inputs: [x], grad }) => [mul(grad, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))],
});

/**
 * erf to float64 precision (about 1e-15 absolute). Below 3.5 it sums the series
 * erf(x) = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)), whose terms are all positive, so
 * nothing cancels; above, the continued fraction for erfc converges in a few dozen terms.
 */
export function erfScalar(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  const x2 = ax * ax;
  if (ax < 3.5) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200 && term >= 1e-17 * sum; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  }
  let f = 0;
  for (let n = 80; n >= 1; n--) f = n / 2 / (ax + f);
  return Math.sign(x) * (1 - Math.exp(-x2) / Math.sqrt(Math.PI) / (ax + f));
}

function unaryApply<S extends Shape, D extends DType>(def: OpDef<any>, x: Tensor<S, D>): Tensor<S, D> {
  return apply(def, [x], {} as never) as never;
}

export const neg = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unaryApply(negOp, x);
export const abs = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unaryApply(absOp, x);
export const sign = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unaryApply(signOp, x);
export const reciprocal = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unaryApply(reciprocalOp, x);
export const sqrt = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unaryApply(sqrtOp, x);
export const rsqrt = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unaryApply(rsqrtOp, x);
export const exp = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unaryApply(expOp, x);
export const log = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unaryApply(logOp, x);
export const log1p = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unaryApply(log1pOp, x);
export const expm1 = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unaryApply(expm1Op, x);
export const erf = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => unaryApply(erfOp, x);

/** x² as x·x: a composite, so it needs no rule of its own. */
export const square = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => mul(x as AnyTensor, x) as never;

/** Clamps into [lo, hi]; a composite of maximum and minimum. */
export function clip<S extends Shape, D extends DType>(x: Tensor<S, D>, lo: number, hi: number): Tensor<S, D> {
  if (!(lo <= hi)) throw new GraphError(`clip: expected lo <= hi, got lo=${lo}, hi=${hi}`);
  return minimum(maximum(x, lo), hi) as never;
}

/** Keeps `grad` where `x > 0`: the mask behind relu's derivative. */
export const positivePart = (x: Tensor, grad: Tensor): Tensor => where(greater(x, 0), grad, scalar(0, grad.dtype));
