/** What max and average pooling share: options, the shape rule, the window visits. */
import type { Pool2dParams, Value } from "../op.ts";
import { formatShape, sameShape, type Dim, type Shape } from "../shape.ts";
import type { AnyTensor } from "../tensor.ts";
import { asOpError, checkWindow, forEachTap, pair, resolvePadding, spatialDims, windowOptions, windowOutput, type WindowOptions } from "./window.ts";

/**
 * Strides default to the window (non-overlapping windows), dilations to 1; `stride`
 * and `dilation` (PyTorch's names) work too. Padding must leave every window some input.
 */
export type Pool2dOptions = WindowOptions;

/** Resolves a pooling call's window and options into params (the usual error on bad ones). */
export function resolvePool(op: string, x: AnyTensor, window: number | readonly [number, number], options: Pool2dOptions = {}, known: readonly string[] = []): Pool2dParams {
  return asOpError(op, [x], () => {
    const kernel = pair(window, 1, "window");
    const given = windowOptions(options, known);
    const dilations = pair(given.dilations, 1, "dilations");
    const actualStrides: [number, number] = given.strides === undefined ? kernel : pair(given.strides, 1, "strides");
    const pads = resolvePadding(options.padding ?? "valid", [x.shape[1], x.shape[2]], kernel, actualStrides, dilations, "padding");
    return { kernel, strides: actualStrides, dilations, pads };
  });
}

/** A window axis whose taps all fall in the padding, or -1: every window must see the input. */
function emptyWindow(size: number, out: number, k: number, s: number, d: number, before: number): number {
  for (let o = 0; o < out; o++) {
    let any = false;
    for (let t = 0; t < k && !any; t++) {
      const i = o * s - before + t * d;
      any = i >= 0 && i < size;
    }
    if (!any) return o;
  }
  return -1;
}

/** The pooled shape of x [n, h, w, c], or why the window does not fit. */
export function poolShape(x: Shape, p: Pool2dParams): Dim[] | string {
  const bad = checkWindow(p);
  if (bad) return bad;
  if (p.kernel.length !== 2 || p.kernel.some((k) => !Number.isInteger(k) || k < 1)) return `window must be two positive integers, got ${JSON.stringify(p.kernel)}`;
  const size = spatialDims(x, "input");
  if (typeof size === "string") return size;
  const out = windowOutput(p, size, p.kernel);
  if (typeof out === "string") return out;
  const rows = emptyWindow(size[0], out[0], p.kernel[0], p.strides[0], p.dilations[0], p.pads[0]);
  const cols = emptyWindow(size[1], out[1], p.kernel[1], p.strides[1], p.dilations[1], p.pads[2]);
  if (rows >= 0 || cols >= 0) return `padding ${JSON.stringify(p.pads)} leaves window ${rows >= 0 ? `row ${rows}` : `column ${cols}`} with no input element`;
  return [x[0], out[0], out[1], x[3]];
}

/** The shape rule of an op whose second operand is shaped like the first (x and values, or x and gradient). */
export function sameAs(what: string, a: Shape, b: Shape): string | null {
  return sameShape(a, b) ? null : `${what} ${formatShape(b)} must have the input's shape ${formatShape(a)}`;
}

/**
 * Visits every (output element, input element) pair a pooling window joins, per
 * batch and channel, in scan order: `visit(yi, xi)` with flat NHWC offsets.
 */
export function forEachPooled(x: { shape: readonly number[] }, out: readonly number[], p: Pool2dParams, visit: (yi: number, xi: number, window: number) => void): void {
  const [n, h, w, c] = x.shape;
  const [, oh, ow] = out;
  for (let b = 0; b < n; b++) {
    forEachTap(p, [h, w], p.kernel, [oh, ow], (y, xo, _ky, _kx, iy, ix) => {
      const window = y * ow + xo;
      const yBase = ((b * oh + y) * ow + xo) * c;
      const xBase = ((b * h + iy) * w + ix) * c;
      for (let ch = 0; ch < c; ch++) visit(yBase + ch, xBase + ch, window);
    });
  }
}

/**
 * Where each max-pooling window takes its value from, as a flat index into x:
 * PyTorch's rule, scanning the window row-major and moving on when a value is
 * strictly greater or is NaN. So ties go to the first maximum and a NaN wins (the
 * last NaN in the window), and a window of only −∞ takes its first element.
 */
export function poolArgmax(x: Value, outShape: readonly number[], p: Pool2dParams): Int32Array {
  const count = outShape.reduce((a, b) => a * b, 1);
  const at = new Int32Array(count).fill(-1);
  const best = new Float64Array(count);
  forEachPooled(x, outShape, p, (yi, xi) => {
    const v = x.data[xi];
    if (at[yi] < 0 || v > best[yi] || Number.isNaN(v)) {
      at[yi] = xi;
      best[yi] = v;
    }
  });
  return at;
}

/**
 * What each window's sum is divided by, per output position oh·ow + ow: the input
 * elements it covers, or with `countIncludePad` its whole kh·kw (padding counted).
 */
export function windowCounts(x: { shape: readonly number[] }, outShape: readonly number[], p: Pool2dParams & { countIncludePad: boolean }): Float64Array {
  const counts = new Float64Array(outShape[1] * outShape[2]);
  if (p.countIncludePad) return counts.fill(p.kernel[0] * p.kernel[1]);
  forEachPooled({ shape: [1, x.shape[1], x.shape[2], 1] }, [1, outShape[1], outShape[2], 1], p, (_yi, _xi, window) => {
    counts[window]++;
  });
  return counts;
}
