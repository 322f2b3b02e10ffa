import { avgPool2d, globalAvgPool2d, maxPool2d, type AvgPool2dOptions, type Pool2dOptions } from "@gradfold/graph";
import type { FloatTensor, LayerFn } from "./layer.ts";

/**
 * Pooling as blocks for `sequential`: parameterless, so each is a function of the
 * input alone (the graph ops do the work; NHWC throughout).
 */

/** Max pooling over `window` (strides default to the window). */
export const maxPooling =
  (window: number | readonly [number, number], options?: Pool2dOptions): LayerFn =>
  (x) =>
    maxPool2d(x, window, options) as FloatTensor;

/** Average pooling over `window`; padding is not counted in the mean unless `countIncludePad`. */
export const avgPooling =
  (window: number | readonly [number, number], options?: AvgPool2dOptions): LayerFn =>
  (x) =>
    avgPool2d(x, window, options) as FloatTensor;

/** The mean over height and width: [n, h, w, c] → [n, c]. */
export const globalAvgPooling = (): LayerFn => (x) => globalAvgPool2d(x) as FloatTensor;

/** [n, h, w, c] → [n, h·w·c], the step from a conv stack to dense layers. */
export const flatten = (): LayerFn => (x) => {
  const [n, ...rest] = x.shape;
  const features = rest.reduce<number>((a, d) => a * (d as number), 1);
  return x.reshape([n, features]) as FloatTensor;
};
