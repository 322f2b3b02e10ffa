/**
 * Max pooling, NHWC. The op is `maxPool2d(x, v)`: the value of v at each window's
 * argmax in x (poolArgmax: PyTorch's tie and NaN rule); plain max pooling is v = x.
 * Its partner `maxPool2dGrad(x, g)` scatters g to those argmaxes. Both are linear in
 * their second operand and constant in x (almost everywhere), so each one's VJP is
 * the other, and second derivatives are exactly zero, as for max pooling anywhere.
 */
import type { DType } from "../dtype.ts";
import { defineOp, type OpDef } from "../op.ts";
import { numel, type Shape } from "../shape.ts";
import type { CheckNhwc, Pool2dShape } from "../window-types.ts";
import { apply, type Tensor } from "../tensor.ts";
import { numeric } from "./rules.ts";
import { poolArgmax, poolShape, resolvePool, sameAs, type Pool2dOptions } from "./pool2d.ts";

export const maxPool2dOp: OpDef<"maxPool2d"> = defineOp("maxPool2d", {
  arity: 2,
  traits: [],
  shape: ([x, v], p) => sameAs("values", x, v) ?? poolShape(x, p),
  dtype: numeric,
  evaluate: ([x, v], p, outShape) => Float64Array.from(poolArgmax(x, outShape, p), (i) => v.data[i]),
  vjp: ({ inputs: [x], grad, params }) => [null, apply(maxPool2dGradOp, [x, grad], params)],
});

export const maxPool2dGradOp: OpDef<"maxPool2dGrad"> = defineOp("maxPool2dGrad", {
  arity: 2,
  traits: [],
  shape: ([x, g], p) => {
    const out = poolShape(x, p);
    if (typeof out === "string") return out;
    return sameAs("gradient", out, g) ?? x;
  },
  dtype: numeric,
  evaluate: ([x, g], p, outShape) => {
    const dx = new Float64Array(numel(outShape));
    poolArgmax(x, g.shape, p).forEach((xi, yi) => {
      dx[xi] += g.data[yi];
    });
    return dx;
  },
  vjp: ({ inputs: [x], grad, params }) => [null, apply(maxPool2dOp, [x, grad], params)],
});

/**
 * The maximum over each `window` of NHWC x (strides default to the window). Padding
 * counts as −∞. The gradient goes to one element per window: the first maximum, or a
 * NaN when the window holds one, as in PyTorch.
 */
export function maxPool2d<S extends Shape, D extends DType>(
  x: Tensor<S, D> & CheckNhwc<S>,
  window: number | readonly [number, number],
  options?: Pool2dOptions,
): Tensor<Pool2dShape<S>, D> {
  return apply(maxPool2dOp, [x, x], resolvePool("maxPool2d", x, window, options)) as never;
}
