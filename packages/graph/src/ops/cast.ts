import { isDType, type DType } from "../dtype.ts";
import { GraphError } from "../errors.ts";
import { defineOp } from "../op.ts";
import type { Shape } from "../shape.ts";
import { apply, type Tensor } from "../tensor.ts";

const toDType: Record<DType, (x: number) => number> = {
  float32: Math.fround,
  int32: (x) => (Number.isFinite(x) ? Math.trunc(x) | 0 : 0),
  bool: (x) => +(x !== 0),
};

export const castOp = defineOp("cast", {
  arity: 1,
  traits: ["elementwise", "unary"],
  shape: ([x]) => x,
  dtype: (_, p) => p.dtype,
  // float32 -> float32 is the identity in the float64 reference, so no rounding there.
  evaluate: ([x], p) => (p.dtype === "float32" ? x.data : x.data.map(toDType[p.dtype])),
  vjp: ({ inputs: [x], out, grad }) => [x.dtype === "float32" && out.dtype === "float32" ? grad : null],
});

/** Passes values through and blocks gradients. */
export const stopGradientOp = defineOp("stopGradient", {
  arity: 1,
  traits: ["elementwise", "unary", "nondifferentiable"],
  shape: ([x]) => x,
  dtype: ([x]) => x,
  scalar: (x) => x,
  vjp: () => [null],
});

export function cast<S extends Shape, T extends DType>(x: Tensor<S, DType>, dtype: T): Tensor<S, T> {
  if (!isDType(dtype)) throw new GraphError(`cast: dtype must be float32, int32 or bool, got ${JSON.stringify(dtype)}`);
  if (x.dtype === dtype) return x as never;
  return apply(castOp, [x], { dtype }) as never;
}

export function stopGradient<S extends Shape, D extends DType>(x: Tensor<S, D>): Tensor<S, D> {
  return apply(stopGradientOp, [x], {}) as never;
}
