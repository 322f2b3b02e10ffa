import type { DType } from "../dtype.ts";
import { defineOp, type Trait } from "../op.ts";
import type { Shape } from "../shape.ts";
import type { Broadcast, CheckBroadcast } from "../shape-types.ts";
import { apply, lift, type AnyTensor, type Tensor } from "../tensor.ts";
import { binaryApply } from "./binary.ts";
import { scalar } from "./leaves.ts";
import { anyDType, elementwiseShape } from "./rules.ts";
import { unbroadcast } from "./unbroadcast.ts";

const comparison = {
  arity: 2,
  traits: ["elementwise", "binary", "comparison", "nondifferentiable"] as Trait[],
  shape: elementwiseShape,
  dtype: (inputs: readonly DType[]) => {
    const d = anyDType(inputs);
    return d === "float32" || d === "int32" || d === "bool" ? "bool" : d;
  },
  vjp: () => [null, null],
};

export const lessOp = defineOp("less", { ...comparison, scalar: (a, b) => +(a < b) });
export const lessEqualOp = defineOp("lessEqual", { ...comparison, scalar: (a, b) => +(a <= b) });
export const greaterOp = defineOp("greater", { ...comparison, scalar: (a, b) => +(a > b) });
export const greaterEqualOp = defineOp("greaterEqual", { ...comparison, scalar: (a, b) => +(a >= b) });
export const equalOp = defineOp("equal", { ...comparison, traits: [...comparison.traits, "commutative"], scalar: (a, b) => +(a === b) });
export const notEqualOp = defineOp("notEqual", { ...comparison, traits: [...comparison.traits, "commutative"], scalar: (a, b) => +(a !== b) });

type Cmp = <A extends Shape, B extends Shape = [], D extends DType = "float32">(
  a: Tensor<A, D> | number,
  b: (Tensor<B, NoInfer<D>> & CheckBroadcast<A, B>) | number,
) => Tensor<Broadcast<A, B>, "bool">;

export const less: Cmp = (a, b) => binaryApply(lessOp, a, b as AnyTensor) as never;
export const lessEqual: Cmp = (a, b) => binaryApply(lessEqualOp, a, b as AnyTensor) as never;
export const greater: Cmp = (a, b) => binaryApply(greaterOp, a, b as AnyTensor) as never;
export const greaterEqual: Cmp = (a, b) => binaryApply(greaterEqualOp, a, b as AnyTensor) as never;
export const equal: Cmp = (a, b) => binaryApply(equalOp, a, b as AnyTensor) as never;
export const notEqual: Cmp = (a, b) => binaryApply(notEqualOp, a, b as AnyTensor) as never;

export const whereOp = defineOp("where", {
  arity: 3,
  traits: ["elementwise"],
  shape: elementwiseShape,
  dtype: ([c, a, b]) => (c !== "bool" ? `condition must be bool, got ${c}` : a !== b ? `branches differ in dtype (${a}, ${b})` : a),
  scalar: (c, a, b) => (c ? a : b),
  vjp: ({ inputs: [c, a, b], grad }) => {
    const zero = scalar(0, grad.dtype);
    return [null, unbroadcast(where(c, grad, zero), a.shape), unbroadcast(where(c, zero, grad), b.shape)];
  },
});

/** Picks `a` where `cond` holds and `b` elsewhere, broadcasting all three. */
export function where<C extends Shape, A extends Shape = [], B extends Shape = [], D extends DType = "float32">(
  cond: Tensor<C, "bool">,
  a: (Tensor<A, D> & CheckBroadcast<C, A>) | number,
  b: (Tensor<B, NoInfer<D>> & CheckBroadcast<Broadcast<C, A>, B>) | number,
): Tensor<Broadcast<C, Broadcast<A, B>>, D> {
  const dtype = typeof a !== "number" ? a.dtype : typeof b !== "number" ? b.dtype : "float32";
  return apply(whereOp, [cond, lift(a, dtype), lift(b, dtype)], {}) as never;
}
