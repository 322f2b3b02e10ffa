import type { DType } from "../dtype.ts";
import { defineOp, type OpParams } from "../op.ts";
import { formatShape, type Dim, type Shape } from "../shape.ts";
import { opError } from "../errors.ts";
import type { CheckAxes, ReduceShape } from "../shape-types.ts";
import { apply, type AnyTensor, type Tensor } from "../tensor.ts";
import { div, mul } from "./binary.ts";
import { cast } from "./cast.ts";
import { equal } from "./compare.ts";
import { size } from "./leaves.ts";
import { broadcastTo, reshape } from "./layout.ts";
import { checkedAxes, forEachReduction, numeric, reducedShape } from "./rules.ts";
import { neg } from "./unary-math.ts";

type Axis = number | readonly number[] | undefined;
type ReduceParams = OpParams["sum"];

const reductionShape = ([x]: readonly Shape[], p: ReduceParams) => reducedShape(x, p.axes, p.keepdims);

/** Reshapes a reduction's cotangent to keep the reduced axes as 1, then broadcasts it back over them. */
export function expandReduced(grad: AnyTensor, inputShape: Shape, p: ReduceParams): AnyTensor {
  const kept = p.keepdims ? grad : reshape(grad, reducedShape(inputShape, p.axes, true));
  return broadcastTo(kept, inputShape);
}

function reduceEval(init: number, step: (acc: number, v: number) => number) {
  return ([x]: readonly { data: Float64Array; shape: readonly number[] }[], p: ReduceParams, outShape: readonly number[]) => {
    const out = new Float64Array(outShape.reduce((a, b) => a * b, 1));
    forEachReduction(x.shape, p.axes, (o, offsets) => {
      let acc = init;
      for (const off of offsets) acc = step(acc, x.data[off]);
      out[o] = acc;
    });
    return out;
  };
}

export const sumOp = defineOp("sum", {
  arity: 1,
  traits: ["reduction"],
  shape: reductionShape,
  dtype: numeric,
  evaluate: reduceEval(0, (a, v) => a + v),
  vjp: ({ inputs: [x], grad, params }) => [expandReduced(grad, x.shape, params)],
});

// Ties share the cotangent equally, as TensorFlow's reduce_max gradient does.
export const maxOp = defineOp("max", {
  arity: 1,
  traits: ["reduction"],
  shape: reductionShape,
  dtype: numeric,
  evaluate: reduceEval(Number.NEGATIVE_INFINITY, (a, v) => (Number.isNaN(a) || Number.isNaN(v) ? Number.NaN : Math.max(a, v))),
  vjp: ({ inputs: [x], out, grad, params }) => {
    const mask = cast(equal(x, expandReduced(out, x.shape, params)), "float32");
    const count = sum(mask, params.axes, true);
    return [mul(expandReduced(grad, x.shape, params), div(mask, broadcastTo(count, x.shape)))];
  },
});

export function reduceParams(x: AnyTensor, op: string, axis: Axis, keepdims: boolean | undefined): ReduceParams {
  const axes = checkedAxes(axis, x.rank);
  if (typeof axes === "string") throw opError(op, axes, formatShape(x.shape));
  return { axes, keepdims: keepdims ?? false };
}

type Reduced<S extends Shape, A, K extends boolean, D extends DType> = Tensor<ReduceShape<S, A, K>, D>;

export function sum<S extends Shape, D extends DType, const A extends Axis = undefined, K extends boolean = false>(
  x: Tensor<S, D>,
  axis?: A & CheckAxes<S, A>,
  keepdims?: K,
): Reduced<S, A, K, D> {
  return apply(sumOp, [x], reduceParams(x, "sum", axis as Axis, keepdims)) as never;
}

export function max<S extends Shape, D extends DType, const A extends Axis = undefined, K extends boolean = false>(
  x: Tensor<S, D>,
  axis?: A & CheckAxes<S, A>,
  keepdims?: K,
): Reduced<S, A, K, D> {
  return apply(maxOp, [x], reduceParams(x, "max", axis as Axis, keepdims)) as never;
}

/** sum / count: a composite; the count is a symbolic `size` when a reduced dim is. */
export function mean<S extends Shape, D extends DType, const A extends Axis = undefined, K extends boolean = false>(
  x: Tensor<S, D>,
  axis?: A & CheckAxes<S, A>,
  keepdims?: K,
): Reduced<S, A, K, D> {
  if (x.dtype !== "float32") throw opError("mean", `expected float32, got ${x.dtype}; cast first`, `${x.dtype}${formatShape(x.shape)}`);
  const p = reduceParams(x, "mean", axis as Axis, keepdims);
  const dims: Dim[] = p.axes.map((a) => x.shape[a]);
  return div(apply(sumOp, [x], p), size(dims)) as never;
}

/** -max(-x): a composite. */
export function min<S extends Shape, D extends DType, const A extends Axis = undefined, K extends boolean = false>(
  x: Tensor<S, D>,
  axis?: A & CheckAxes<S, A>,
  keepdims?: K,
): Reduced<S, A, K, D> {
  return neg(apply(maxOp, [neg(x)], reduceParams(x, "min", axis as Axis, keepdims))) as never;
}
