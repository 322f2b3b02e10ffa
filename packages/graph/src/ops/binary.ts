import type { DType } from "../dtype.ts";
import { defineOp, type OpDef, type Trait } from "../op.ts";
import type { Shape } from "../shape.ts";
import type { Broadcast, CheckBroadcast } from "../shape-types.ts";
import { apply, lift, type AnyTensor, type Tensor } from "../tensor.ts";
import { equal, greater } from "./compare.ts";
import { cast } from "./cast.ts";
import { elementwiseShape, floatOnly, numeric } from "./rules.ts";
import { unbroadcast } from "./unbroadcast.ts";
import { log, neg } from "./unary-math.ts";

const binary = { arity: 2, traits: ["elementwise", "binary"] as Trait[], shape: elementwiseShape };

export const addOp = defineOp("add", {
  ...binary,
  traits: [...binary.traits, "commutative", "associative"],
  dtype: numeric,
  scalar: (a, b) => a + b,
  vjp: ({ inputs: [a, b], grad }) => [unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)],
});

export const mulOp = defineOp("mul", {
  ...binary,
  traits: [...binary.traits, "commutative", "associative"],
  dtype: numeric,
  scalar: (a, b) => a * b,
  vjp: ({ inputs: [a, b], grad }) => [unbroadcast(mul(grad, b), a.shape), unbroadcast(mul(grad, a), b.shape)],
});

// d(a/b) = da/b - (a/b)·db/b
export const divOp = defineOp("div", {
  ...binary,
  dtype: floatOnly,
  scalar: (a, b) => a / b,
  vjp: ({ inputs: [a, b], out, grad }) => [unbroadcast(div(grad, b), a.shape), unbroadcast(neg(div(mul(grad, out), b)), b.shape)],
});

// d(a^b) = b·a^(b-1)·da + a^b·ln(a)·db
export const powOp = defineOp("pow", {
  ...binary,
  dtype: floatOnly,
  scalar: Math.pow,
  vjp: ({ inputs: [a, b], out, grad }) => [unbroadcast(mul(grad, mul(b, pow(a, add(b, -1)))), a.shape), unbroadcast(mul(grad, mul(out, log(a))), b.shape)],
});

/** Share of the cotangent that goes to `a` where a and b compete: 1 where a wins, ½ on ties. */
function winnerShare(a: AnyTensor, b: AnyTensor, aWins: AnyTensor): AnyTensor {
  return add(cast(aWins, "float32"), mul(cast(equal(a, b), "float32"), 0.5));
}

export const maximumOp = defineOp("maximum", {
  ...binary,
  traits: [...binary.traits, "commutative", "associative"],
  dtype: numeric,
  scalar: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b)),
  vjp: ({ inputs: [a, b], grad }) => {
    const ga = mul(grad, winnerShare(a, b, greater(a, b)));
    return [unbroadcast(ga, a.shape), unbroadcast(add(grad, neg(ga)), b.shape)];
  },
});

export const minimumOp = defineOp("minimum", {
  ...binary,
  traits: [...binary.traits, "commutative", "associative"],
  dtype: numeric,
  scalar: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b)),
  vjp: ({ inputs: [a, b], grad }) => {
    const ga = mul(grad, winnerShare(a, b, greater(b, a)));
    return [unbroadcast(ga, a.shape), unbroadcast(add(grad, neg(ga)), b.shape)];
  },
});

type Lhs<A extends Shape, D extends DType> = Tensor<A, D> | number;
// NoInfer: the dtype comes from the first operand, so a second operand of another dtype is an error, not a union.
type Rhs<A extends Shape, B extends Shape, D extends DType> = (Tensor<B, NoInfer<D>> & CheckBroadcast<A, B>) | number;
type Out<A extends Shape, B extends Shape, D extends DType> = Tensor<Broadcast<A, B>, D>;

/** Lifts numbers to constants of the tensor operand's dtype and applies `def`. */
export function binaryApply(def: OpDef<any>, a: AnyTensor | number, b: AnyTensor | number): AnyTensor {
  const dtype = typeof a === "number" ? (typeof b === "number" ? "float32" : b.dtype) : a.dtype;
  return apply(def, [lift(a, dtype), lift(b, dtype)], {});
}

export const add = <A extends Shape, B extends Shape = [], D extends DType = "float32">(a: Lhs<A, D>, b: Rhs<A, B, D>): Out<A, B, D> =>
  binaryApply(addOp, a, b as AnyTensor) as never;
export const mul = <A extends Shape, B extends Shape = [], D extends DType = "float32">(a: Lhs<A, D>, b: Rhs<A, B, D>): Out<A, B, D> =>
  binaryApply(mulOp, a, b as AnyTensor) as never;
export const div = <A extends Shape, B extends Shape = [], D extends DType = "float32">(a: Lhs<A, D>, b: Rhs<A, B, D>): Out<A, B, D> =>
  binaryApply(divOp, a, b as AnyTensor) as never;
export const pow = <A extends Shape, B extends Shape = [], D extends DType = "float32">(a: Lhs<A, D>, b: Rhs<A, B, D>): Out<A, B, D> =>
  binaryApply(powOp, a, b as AnyTensor) as never;
export const maximum = <A extends Shape, B extends Shape = [], D extends DType = "float32">(a: Lhs<A, D>, b: Rhs<A, B, D>): Out<A, B, D> =>
  binaryApply(maximumOp, a, b as AnyTensor) as never;
export const minimum = <A extends Shape, B extends Shape = [], D extends DType = "float32">(a: Lhs<A, D>, b: Rhs<A, B, D>): Out<A, B, D> =>
  binaryApply(minimumOp, a, b as AnyTensor) as never;
/** a - b as a + (-b): a composite. */
export const sub = <A extends Shape, B extends Shape = [], D extends DType = "float32">(a: Lhs<A, D>, b: Rhs<A, B, D>): Out<A, B, D> => {
  const dtype = typeof a === "number" ? (typeof b === "number" ? "float32" : (b as AnyTensor).dtype) : a.dtype;
  return add(a as AnyTensor, neg(lift(b as AnyTensor, dtype))) as never;
};
