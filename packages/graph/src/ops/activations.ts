import type { DType } from "../dtype.ts";
import { defineOp, type Trait } from "../op.ts";
import type { Shape } from "../shape.ts";
import { apply, type AnyTensor, type Tensor } from "../tensor.ts";
import { add, mul, sub } from "./binary.ts";
import { greater, where } from "./compare.ts";
import { floatOnly } from "./rules.ts";
import { erf, expm1, positivePart } from "./unary-math.ts";

const unary = { arity: 1, traits: ["elementwise", "unary"] as Trait[], shape: ([x]: readonly Shape[]) => x, dtype: floatOnly };

/** Logistic function, computed without overflow for large |x|. */
export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + eˣ) without overflow: max(x, 0) + log1p(e^-|x|). */
export function softplusScalar(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

// dσ = σ(1-σ) dx
export const sigmoidOp = defineOp("sigmoid", { ...unary, scalar: sigmoidScalar, vjp: ({ out, grad }) => [mul(grad, mul(out, sub(1, out)))] });
// d tanh = (1 - tanh²) dx
export const tanhOp = defineOp("tanh", { ...unary, scalar: Math.tanh, vjp: ({ out, grad }) => [mul(grad, sub(1, mul(out, out)))] });
// The mask reads relu's output: max(x, 0) > 0 exactly when x > 0 (NaN, -0 and ±Inf included),
// and then the pre-activation x is dead after the forward pass, so a compiled layer
// writes only relu(x·W + b).
export const reluOp = defineOp("relu", { ...unary, scalar: (x) => Math.max(x, 0), vjp: ({ out, grad }) => [positivePart(out, grad)] });
// d softplus = σ(x) dx
export const softplusOp = defineOp("softplus", { ...unary, scalar: softplusScalar, vjp: ({ inputs: [x], grad }) => [mul(grad, sigmoid(x))] });

export const sigmoid = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => apply(sigmoidOp, [x], {}) as never;
export const tanh = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => apply(tanhOp, [x], {}) as never;
export const relu = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => apply(reluOp, [x], {}) as never;
export const softplus = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => apply(softplusOp, [x], {}) as never;

/** x where x > 0, alpha·x elsewhere. */
export const leakyRelu = <S extends Shape, D extends DType>(x: Tensor<S, D>, alpha = 0.01): Tensor<S, D> =>
  where(greater(x as AnyTensor, 0), x as AnyTensor, mul(x as AnyTensor, alpha)) as never;

/** x where x > 0, alpha·(eˣ - 1) elsewhere (Clevert et al., 2015). */
export const elu = <S extends Shape, D extends DType>(x: Tensor<S, D>, alpha = 1): Tensor<S, D> =>
  where(greater(x as AnyTensor, 0), x as AnyTensor, mul(expm1(x as AnyTensor), alpha)) as never;

/** Exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)) (Hendrycks & Gimpel, 2016), as PyTorch's default. */
export const gelu = <S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> => mul(mul(x as AnyTensor, 0.5), add(erf(mul(x as AnyTensor, Math.SQRT1_2)), 1)) as never;
