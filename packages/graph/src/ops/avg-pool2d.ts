/**
 * Average pooling, NHWC, and its adjoint: each window's mean over the input elements
 * it covers (padding is not counted: ONNX's count_include_pad = 0, TensorFlow's
 * "SAME"), or with `countIncludePad` its sum over kh·kw (PyTorch's default,
 * count_include_pad=True). Both ops are linear, so each one's VJP is the other.
 */
import type { DType } from "../dtype.ts";
import { opError } from "../errors.ts";
import { defineOp, type OpDef } from "../op.ts";
import { formatShape, numel, type Shape } from "../shape.ts";
import type { CheckNhwc, GlobalPoolShape, Pool2dShape } from "../window-types.ts";
import { apply, type Tensor } from "../tensor.ts";
import { mean } from "./reduce.ts";
import { floatOnly } from "./rules.ts";
import { forEachPooled, poolShape, resolvePool, sameAs, windowCounts, type Pool2dOptions } from "./pool2d.ts";

export const avgPool2dOp: OpDef<"avgPool2d"> = defineOp("avgPool2d", {
  arity: 1,
  traits: [],
  shape: ([x], p) => poolShape(x, p),
  dtype: floatOnly,
  evaluate: ([x], p, outShape) => {
    const counts = windowCounts(x, outShape, p);
    const y = new Float64Array(numel(outShape));
    forEachPooled(x, outShape, p, (yi, xi, window) => {
      y[yi] += x.data[xi] / counts[window];
    });
    return y;
  },
  vjp: ({ inputs: [x], grad, params }) => [apply(avgPool2dGradOp, [grad], { ...params, inputSize: [x.shape[1] as number, x.shape[2] as number] })],
});

export const avgPool2dGradOp: OpDef<"avgPool2dGrad"> = defineOp("avgPool2dGrad", {
  arity: 1,
  traits: [],
  shape: ([g], p) => {
    if (g.length !== 4) return `gradient must be rank 4 [batch, height, width, channels], got rank ${g.length}`;
    const x = [g[0], p.inputSize[0], p.inputSize[1], g[3]];
    const out = poolShape(x, p);
    if (typeof out === "string") return out;
    return sameAs("gradient", out, g) ?? x;
  },
  dtype: floatOnly,
  evaluate: ([g], p, outShape) => {
    const counts = windowCounts({ shape: outShape }, g.shape, p);
    const dx = new Float64Array(numel(outShape));
    forEachPooled({ shape: outShape }, g.shape, p, (yi, xi, window) => {
      dx[xi] += g.data[yi] / counts[window];
    });
    return dx;
  },
  vjp: ({ grad, params }) => [
    apply(avgPool2dOp, [grad], { kernel: params.kernel, strides: params.strides, dilations: params.dilations, pads: params.pads, countIncludePad: params.countIncludePad }),
  ],
});

export interface AvgPool2dOptions extends Pool2dOptions {
  /** Divide by the whole window, padding included (PyTorch's default); default false: by the taps inside x. */
  readonly countIncludePad?: boolean;
}

/** The mean over each `window` of NHWC x (strides default to the window; padding is not counted unless `countIncludePad`). */
export function avgPool2d<S extends Shape, D extends DType>(
  x: Tensor<S, D> & CheckNhwc<S>,
  window: number | readonly [number, number],
  options: AvgPool2dOptions = {},
): Tensor<Pool2dShape<S>, D> {
  const params = resolvePool("avgPool2d", x, window, options, ["countIncludePad"]);
  const include = options?.countIncludePad ?? false;
  if (typeof include !== "boolean") throw opError("avgPool2d", `countIncludePad must be a boolean, got ${JSON.stringify(include)}`, `${x.dtype}${formatShape(x.shape)}`);
  return apply(avgPool2dOp, [x], { ...params, countIncludePad: include }) as never;
}

/** Global average pooling: the mean over height and width of NHWC x, [n, c]. A composite of `mean`. */
export function globalAvgPool2d<S extends Shape, D extends DType>(x: Tensor<S, D> & CheckNhwc<S>): Tensor<GlobalPoolShape<S>, D> {
  if (x.rank !== 4) throw opError("globalAvgPool2d", `expected a rank-4 NHWC tensor [batch, height, width, channels], got rank ${x.rank}`, `${x.dtype}${formatShape(x.shape)}`);
  return mean(x as Tensor<Shape, D>, [1, 2]) as never;
}
