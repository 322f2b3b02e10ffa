/**
 * Sliding-window geometry shared by conv and pooling (NHWC). A window op reads, for
 * output position (oh, ow) and tap (kh, kw), input row oh·sh − top + kh·dh and column
 * ow·sw − left + kw·dw; taps outside the input fall in the padding.
 */
import { GraphError, opError } from "../errors.ts";
import { formatShape, type Dim, type Shape } from "../shape.ts";
import type { AnyTensor } from "../tensor.ts";

/** Padding as the user says it: no padding, TensorFlow's "same", or explicit counts. */
export type Padding = "valid" | "same" | number | readonly [number, number] | readonly [number, number, number, number];

/** The resolved geometry every window op carries in its params. */
export interface Window2d {
  /** [sh, sw] */
  readonly strides: readonly [number, number];
  /** [dh, dw]: the spacing of taps (1 = dense). */
  readonly dilations: readonly [number, number];
  /** [top, bottom, left, right] */
  readonly pads: readonly [number, number, number, number];
}

/** One size per spatial axis from `n` or `[h, w]`. */
export function pair(value: number | readonly [number, number] | undefined, fallback: number, what: string): [number, number] {
  const v = value ?? fallback;
  if (typeof v !== "number" && !(Array.isArray(v) && v.length === 2)) throw new GraphError(`${what}: expected a number or [h, w], got ${JSON.stringify(v)}`);
  const out: [number, number] = typeof v === "number" ? [v, v] : [v[0], v[1]];
  if (out.some((d) => !Number.isInteger(d) || d < 1)) throw new GraphError(`${what}: expected positive integers, got ${JSON.stringify(v)}`);
  return out;
}

/** The extent of a dilated kernel: (k − 1)·d + 1. */
const span = (k: number, d: number) => (k - 1) * d + 1;

/** Output length of one spatial axis, or a number < 1 when the kernel does not fit. */
export function outputLength(size: number, kernel: number, stride: number, dilation: number, before: number, after: number): number {
  return Math.floor((size + before + after - span(kernel, dilation)) / stride) + 1;
}

/**
 * Resolves `padding` for an input of spatial size [h, w]. "same" is TensorFlow's:
 * the output has ceil(size / stride) positions and the odd pad goes after.
 */
export function resolvePadding(
  padding: Padding,
  size: readonly [Dim, Dim],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number],
  what: string,
): [number, number, number, number] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding === "same") {
    const [h, w] = size;
    if (typeof h !== "number" || typeof w !== "number") throw new GraphError(`${what}: "same" padding needs static spatial dims, got [${JSON.stringify(h)}, ${JSON.stringify(w)}]`);
    const total = (n: number, i: 0 | 1) => Math.max((Math.ceil(n / strides[i]) - 1) * strides[i] + span(kernel[i], dilations[i]) - n, 0);
    const [th, tw] = [total(h, 0), total(w, 1)];
    return [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  }
  const list =
    typeof padding === "number"
      ? [padding, padding, padding, padding]
      : Array.isArray(padding) && padding.length === 2
        ? [padding[0], padding[0], padding[1], padding[1]]
        : padding;
  if (!Array.isArray(list) || list.length !== 4 || list.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new GraphError(`${what}: padding must be "valid", "same", n, [ph, pw] or [top, bottom, left, right] of non-negative integers, got ${JSON.stringify(padding)}`);
  }
  return [list[0], list[1], list[2], list[3]];
}

/** The two static spatial dims of an NHWC shape, or why not. */
export function spatialDims(shape: Shape, what: string): [number, number] | string {
  if (shape.length !== 4) return `${what} must be rank 4 [batch, height, width, channels], got rank ${shape.length}`;
  const [, h, w] = shape;
  if (typeof h !== "number" || typeof w !== "number") return `${what}'s spatial dims must be static, got ${JSON.stringify(h)}×${JSON.stringify(w)}`;
  return [h, w];
}

/** The output spatial size of a window over [h, w], or why the window does not fit. */
export function windowOutput(win: Window2d, size: readonly [number, number], kernel: readonly [number, number]): [number, number] | string {
  const oh = outputLength(size[0], kernel[0], win.strides[0], win.dilations[0], win.pads[0], win.pads[1]);
  const ow = outputLength(size[1], kernel[1], win.strides[1], win.dilations[1], win.pads[2], win.pads[3]);
  if (oh < 1 || ow < 1) {
    return `a ${kernel[0]}×${kernel[1]} kernel (dilation ${win.dilations.join("×")}) does not fit a ${size[0]}×${size[1]} input padded by ${JSON.stringify(win.pads)}`;
  }
  return [oh, ow];
}

/**
 * Calls `visit(oh, ow, kh, kw, ih, iw)` for every tap that lands inside the input
 * (every tap, padding included, when `padding` is true: then ih or iw may be out of
 * range), in the order a window is scanned (output row-major, then kernel row-major).
 * The reference loops of every window op go through here.
 */
export function forEachTap(
  win: Window2d,
  size: readonly [number, number],
  kernel: readonly [number, number],
  out: readonly [number, number],
  visit: (oh: number, ow: number, kh: number, kw: number, ih: number, iw: number) => void,
  padding = false,
): void {
  const [sh, sw] = win.strides;
  const [dh, dw] = win.dilations;
  for (let oh = 0; oh < out[0]; oh++) {
    for (let ow = 0; ow < out[1]; ow++) {
      for (let kh = 0; kh < kernel[0]; kh++) {
        const ih = oh * sh - win.pads[0] + kh * dh;
        if (!padding && (ih < 0 || ih >= size[0])) continue;
        for (let kw = 0; kw < kernel[1]; kw++) {
          const iw = ow * sw - win.pads[2] + kw * dw;
          if (padding || (iw >= 0 && iw < size[1])) visit(oh, ow, kh, kw, ih, iw);
        }
      }
    }
  }
}

/** Checks a concrete window's fields; the message names the bad field. */
export function checkWindow(win: Window2d): string | null {
  const ok = (v: readonly number[], min: number) => Array.isArray(v) && v.every((n) => Number.isInteger(n) && n >= min);
  if (!ok(win.strides, 1) || win.strides.length !== 2) return `strides must be two positive integers, got ${JSON.stringify(win.strides)}`;
  if (!ok(win.dilations, 1) || win.dilations.length !== 2) return `dilations must be two positive integers, got ${JSON.stringify(win.dilations)}`;
  if (!ok(win.pads, 0) || win.pads.length !== 4) return `pads must be four non-negative integers [top, bottom, left, right], got ${JSON.stringify(win.pads)}`;
  return null;
}

/** Runs `f`, turning a GraphError it throws into `op`'s usual error (operand shapes, call site). */
export function asOpError<T>(op: string, operands: readonly AnyTensor[], f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    throw opError(op, e.message, operands.map((t) => `${t.dtype}${formatShape(t.shape)}`).join(", "));
  }
}

type Pair = number | readonly [number, number];

/** The window options every op shares; PyTorch's singular names are accepted too. */
export interface WindowOptions {
  /** [sh, sw] or one stride for both. */
  readonly strides?: Pair;
  /** The same as `strides` (PyTorch's name); give one of the two. */
  readonly stride?: Pair;
  /** "valid" (default), "same" (TensorFlow's), n, [ph, pw] or [top, bottom, left, right]. */
  readonly padding?: Padding;
  /** Spacing of the taps; 1 by default. */
  readonly dilations?: Pair;
  /** The same as `dilations` (PyTorch's name). */
  readonly dilation?: Pair;
}

/**
 * Reads `strides`/`stride` and `dilations`/`dilation` from options, refusing option
 * names the op does not know (a misspelt option is an error, not a default).
 */
export function windowOptions(options: object, known: readonly string[]): { strides: Pair | undefined; dilations: Pair | undefined } {
  if (options === null || typeof options !== "object") throw new GraphError(`options must be an object, got ${JSON.stringify(options)}`);
  const names = ["strides", "stride", "padding", "dilations", "dilation", ...known];
  const unknown = Object.keys(options).filter((k) => !names.includes(k));
  if (unknown.length > 0) throw new GraphError(`unknown option ${JSON.stringify(unknown[0])}; expected ${names.join(", ")}`);
  const o = options as WindowOptions;
  const either = (a: Pair | undefined, b: Pair | undefined, what: string) => {
    if (a !== undefined && b !== undefined && JSON.stringify(a) !== JSON.stringify(b))
      throw new GraphError(`${what}s ${JSON.stringify(a)} and ${what} ${JSON.stringify(b)} disagree; give one`);
    return a ?? b;
  };
  return { strides: either(o.strides, o.stride, "stride"), dilations: either(o.dilations, o.dilation, "dilation") };
}
