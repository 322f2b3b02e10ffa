import type { DType } from "../dtype.ts";
import { GraphError, opError } from "../errors.ts";
import { defineOp } from "../op.ts";
import { broadcastShapes, formatShape, sameShape, stridesOf, type Dim, type Shape } from "../shape.ts";
import type { CheckBroadcastTo, CheckPermute, PermuteShape, Reverse, ReshapeShape } from "../shape-types.ts";
import { apply, type AnyTensor, type Tensor } from "../tensor.ts";
import { anyDType, gatherEval } from "./rules.ts";
import { unbroadcast } from "./unbroadcast.ts";

/** Symbolic dims as a sorted list and the product of the static ones: equal for shapes of equal size. */
function sizeSignature(shape: Shape): string {
  const symbols = shape.filter((d) => typeof d === "string").sort();
  const product = shape.reduce<number>((n, d) => (typeof d === "number" ? n * d : n), 1);
  return `${product}*${JSON.stringify(symbols)}`;
}

export const reshapeOp = defineOp("reshape", {
  arity: 1,
  traits: ["layout", "view"],
  shape: ([x], p) => (sizeSignature(x) === sizeSignature(p.shape) ? p.shape : `cannot reshape ${formatShape(x)} to ${formatShape(p.shape)}: element counts differ`),
  dtype: anyDType,
  evaluate: ([x]) => x.data,
  vjp: ({ inputs: [x], grad }) => [reshape(grad, x.shape)],
});

export const transposeOp = defineOp("transpose", {
  arity: 1,
  traits: ["layout"],
  shape: ([x], p) => {
    const ok = p.perm.length === x.length && [...p.perm].sort((a, b) => a - b).every((v, i) => v === i);
    return ok ? p.perm.map((i) => x[i]) : `perm ${JSON.stringify(p.perm)} is not a permutation of ${x.length} axes`;
  },
  dtype: anyDType,
  evaluate: ([x], p, outShape) => {
    const strides = stridesOf(x.shape);
    const permuted = p.perm.map((i) => strides[i]);
    return gatherEval(outShape, (idx) => idx.reduce((off, v, i) => off + v * permuted[i], 0), x.data);
  },
  vjp: ({ grad, params }) => {
    const inverse = new Array<number>(params.perm.length);
    params.perm.forEach((p, i) => {
      inverse[p] = i;
    });
    return [transpose(grad, inverse)];
  },
});

export const broadcastToOp = defineOp("broadcastTo", {
  arity: 1,
  traits: ["layout"],
  shape: ([x], p) => {
    const b = broadcastShapes([x, p.shape]);
    if (typeof b === "string") return b;
    return sameShape(b, p.shape) ? p.shape : `cannot broadcast ${formatShape(x)} to ${formatShape(p.shape)}`;
  },
  dtype: anyDType,
  evaluate: ([x], _, outShape) => {
    const own = stridesOf(x.shape);
    const lead = outShape.length - x.shape.length;
    const strides = outShape.map((_, i) => (i < lead || x.shape[i - lead] === 1 ? 0 : own[i - lead]));
    return gatherEval(outShape, (idx) => idx.reduce((off, v, i) => off + v * strides[i], 0), x.data);
  },
  vjp: ({ inputs: [x], grad }) => [unbroadcast(grad, x.shape)],
});

export function reshape<S extends Shape, D extends DType, const T extends Shape>(x: Tensor<S, D>, shape: T): Tensor<ReshapeShape<T>, D> {
  if (!Array.isArray(shape)) throw new GraphError(`reshape: expected a shape array, got ${JSON.stringify(shape)}`);
  const resolved = resolveMinusOne(x, shape);
  if (sameShape(resolved, x.shape)) return x as never;
  return apply(reshapeOp, [x], { shape: resolved }) as never;
}

/** One -1 in a reshape target takes whatever size is left, as in numpy. */
function resolveMinusOne(x: AnyTensor, shape: Shape): Dim[] {
  const holes = shape.filter((d) => d === -1).length;
  if (holes === 0) return [...shape];
  const known = shape.filter((d) => d !== -1);
  const staticOf = (s: Shape) => s.reduce<number>((n, d) => (typeof d === "number" ? n * d : n), 1);
  const symbolsOf = (s: Shape) => s.filter((d) => typeof d === "string").sort();
  const rest = staticOf(x.shape) / staticOf(known);
  if (holes > 1 || !Number.isInteger(rest) || JSON.stringify(symbolsOf(x.shape)) !== JSON.stringify(symbolsOf(known))) {
    throw opError("reshape", `cannot infer -1 in ${formatShape(shape)}`, formatShape(x.shape));
  }
  return shape.map((d) => (d === -1 ? rest : d));
}

/** Permutes axes by `perm`; without it, reverses them all (numpy `.T`). */
export function transpose<S extends Shape, D extends DType, const P extends readonly number[] | undefined = undefined>(
  x: Tensor<S, D>,
  perm?: P & (P extends readonly number[] ? CheckPermute<S, P> : unknown),
): Tensor<P extends readonly number[] ? PermuteShape<S, P> : Reverse<S>, D> {
  const p: readonly number[] = perm ?? Array.from({ length: x.rank }, (_, i) => x.rank - 1 - i);
  if (p.every((v, i) => v === i) && p.length === x.rank) return x as never;
  return apply(transposeOp, [x], { perm: [...p] }) as never;
}

/** Permutes axes by `perm`, which lists every axis once. */
export function permute<S extends Shape, D extends DType, const P extends readonly number[]>(x: Tensor<S, D>, perm: P & CheckPermute<S, P>): Tensor<PermuteShape<S, P>, D> {
  return transpose(x as AnyTensor, perm as readonly number[]) as never;
}

export function broadcastTo<S extends Shape, D extends DType, const T extends Shape>(x: Tensor<S, D>, shape: T & CheckBroadcastTo<S, T>): Tensor<[...T], D> {
  if (sameShape(x.shape, shape)) return x as never;
  return apply(broadcastToOp, [x], { shape: [...shape] }) as never;
}
