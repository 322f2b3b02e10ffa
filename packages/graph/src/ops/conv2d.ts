/**
 * 2-D convolution, NHWC: x [n, h, w, c] and filter [kh, kw, c/groups, out] give
 * [n, oh, ow, out] (TensorFlow's layout, so the channel contraction runs along the
 * last axis as matmul's does). NCHW data goes through `transpose(x, [0, 2, 3, 1])`
 * and back with `[0, 3, 1, 2]`; an OIHW filter through `transpose(w, [2, 3, 1, 0])`.
 *
 * Three ops close the family under differentiation: conv2d, its input-gradient
 * conv2dTranspose and its filter-gradient conv2dFilterGrad. All three are bilinear
 * views of one trilinear form ⟨y, g⟩ = Σ x·w·g over the taps, so each one's VJP is
 * the other two with the same geometry, and gradients of gradients stay in the family.
 */
import type { DType } from "../dtype.ts";
import { GraphError } from "../errors.ts";
import { defineOp, type OpDef, type Conv2dParams, type OpParams, type Value } from "../op.ts";
import { formatShape, numel, type Dim, type Shape } from "../shape.ts";
import { apply, type AnyTensor, type Tensor } from "../tensor.ts";
import type { CheckConv2d, Conv2dShape, GroupsOf } from "../window-types.ts";
import { floatOnly } from "./rules.ts";
import { asOpError, checkWindow, forEachTap, pair, resolvePadding, spatialDims, windowOptions, windowOutput, type WindowOptions } from "./window.ts";

/** Every size a conv loop needs, in NHWC and [kh, kw, cg, o]. */
interface ConvDims {
  n: Dim;
  size: [number, number];
  kernel: [number, number];
  out: [number, number];
  c: number;
  cg: number;
  o: number;
  win: Conv2dParams;
}

const geometry = (p: Conv2dParams): Conv2dParams => ({ strides: p.strides, dilations: p.dilations, pads: p.pads, groups: p.groups });

/** Checks x/filter/output agree; each op passes the two shapes it has and the one it builds. */
function convDims(x: { n: Dim; size: [number, number]; c: Dim }, w: Shape, p: Conv2dParams): ConvDims | string {
  const bad = checkWindow(p);
  if (bad) return bad;
  if (!Number.isInteger(p.groups) || p.groups < 1) return `groups must be a positive integer, got ${p.groups}`;
  if (w.length !== 4) return `filter must be rank 4 [kh, kw, in/groups, out], got rank ${w.length}`;
  if (w.some((d) => typeof d !== "number")) return `filter dims must be static, got ${formatShape(w)}`;
  const [kh, kw, cg, o] = w as readonly number[];
  if (typeof x.c !== "number") return `input channels must be static, got ${JSON.stringify(x.c)}`;
  if (x.c !== cg * p.groups) return `input channels ${x.c} must equal the filter's in-channels ${cg} × groups ${p.groups}`;
  if (o % p.groups !== 0) return `output channels ${o} must be a multiple of groups ${p.groups}`;
  const out = windowOutput(p, x.size, [kh, kw]);
  if (typeof out === "string") return out;
  return { n: x.n, size: x.size, kernel: [kh, kw], out, c: x.c, cg, o, win: p };
}

/** The gradient's spatial dims and channels must be what the forward conv would give. */
function gradientMismatch(g: Shape, d: ConvDims, n: Dim): string | null {
  const size = spatialDims(g, "gradient");
  if (typeof size === "string") return size;
  if (g[0] !== n) return `batch dims differ: ${JSON.stringify(n)} vs ${JSON.stringify(g[0])}`;
  if (size[0] !== d.out[0] || size[1] !== d.out[1] || g[3] !== d.o)
    return `gradient ${formatShape(g)} does not match the conv output [${JSON.stringify(n)}, ${d.out[0]}, ${d.out[1]}, ${d.o}]`;
  return null;
}

/**
 * The reference loop of all three ops: calls `visit(xi, wi, yi)` with the flat offsets
 * of every (input, filter, output) triple that one tap multiplies together; xi is −1
 * where the tap falls in the padding, whose value is 0.
 */
function forEachProduct(d: ConvDims, batch: number, visit: (xi: number, wi: number, yi: number) => void): void {
  const [h, w] = d.size;
  const [, kw] = d.kernel;
  const [oh, ow] = d.out;
  const groups = d.win.groups;
  const og = d.o / groups;
  for (let b = 0; b < batch; b++) {
    forEachTap(
      d.win,
      d.size,
      d.kernel,
      d.out,
      (y, x, ky, kx, iy, ix) => {
        const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
        const xBase = inside ? ((b * h + iy) * w + ix) * d.c : -1;
        const wBase = (ky * kw + kx) * d.cg * d.o;
        const yBase = ((b * oh + y) * ow + x) * d.o;
        for (let g = 0; g < groups; g++) {
          for (let ci = 0; ci < d.cg; ci++) {
            for (let oo = 0; oo < og; oo++) {
              const o = g * og + oo;
              visit(inside ? xBase + g * d.cg + ci : -1, wBase + ci * d.o + o, yBase + o);
            }
          }
        }
      },
      true,
    );
  }
}

/** The batch size of an evaluated operand (bound by now). */
const batchOf = (v: Value) => v.shape[0];

/** NHWC operand as the three facts a conv reads from it. */
function nhwc(s: Shape, what: string): { n: Dim; size: [number, number]; c: Dim } | string {
  const size = spatialDims(s, what);
  return typeof size === "string" ? size : { n: s[0], size, c: s[3] };
}

export const conv2dOp: OpDef<"conv2d"> = defineOp("conv2d", {
  arity: 2,
  traits: [],
  shape: ([x, w], p) => {
    const xs = nhwc(x, "input");
    if (typeof xs === "string") return xs;
    const d = convDims(xs, w, p);
    return typeof d === "string" ? d : [d.n, d.out[0], d.out[1], d.o];
  },
  dtype: floatOnly,
  evaluate: ([x, w], p, outShape) => {
    const d = convDims({ n: x.shape[0], size: [x.shape[1], x.shape[2]], c: x.shape[3] }, w.shape, p) as ConvDims;
    const y = new Float64Array(numel(outShape));
    forEachProduct(d, batchOf(x), (xi, wi, yi) => {
      y[yi] += (xi < 0 ? 0 : x.data[xi]) * w.data[wi];
    });
    return y;
  },
  vjp: ({ inputs: [x, w], grad, params }) => [
    applyConv("conv2dTranspose", grad, w, { ...geometry(params), inputSize: [x.shape[1] as number, x.shape[2] as number] }),
    applyConv("conv2dFilterGrad", x, grad, { ...geometry(params), kernelSize: [w.shape[0] as number, w.shape[1] as number] }),
  ],
});

export const conv2dTransposeOp: OpDef<"conv2dTranspose"> = defineOp("conv2dTranspose", {
  arity: 2,
  traits: [],
  shape: ([g, w], p) => {
    if (g.length !== 4) return `gradient must be rank 4 [batch, height, width, channels], got rank ${g.length}`;
    const cg = w[2];
    const c = typeof cg === "number" ? cg * p.groups : cg;
    const d = convDims({ n: g[0], size: [p.inputSize[0], p.inputSize[1]], c }, w, p);
    if (typeof d === "string") return d;
    return gradientMismatch(g, d, g[0]) ?? [d.n, d.size[0], d.size[1], d.c];
  },
  dtype: floatOnly,
  evaluate: ([g, w], p, outShape) => {
    const d = convDims({ n: g.shape[0], size: [p.inputSize[0], p.inputSize[1]], c: outShape[3] }, w.shape, p) as ConvDims;
    const dx = new Float64Array(numel(outShape));
    forEachProduct(d, batchOf(g), (xi, wi, yi) => {
      if (xi >= 0) dx[xi] += g.data[yi] * w.data[wi];
    });
    return dx;
  },
  // ⟨conv2dTranspose(g, w), c⟩ = ⟨g, conv2d(c, w)⟩ and, in w, the filter-gradient of c against g.
  vjp: ({ inputs: [g, w], grad: c, params }) => [
    applyConv("conv2d", c, w, geometry(params)),
    applyConv("conv2dFilterGrad", c, g, { ...geometry(params), kernelSize: [w.shape[0] as number, w.shape[1] as number] }),
  ],
});

export const conv2dFilterGradOp: OpDef<"conv2dFilterGrad"> = defineOp("conv2dFilterGrad", {
  arity: 2,
  traits: [],
  shape: ([x, g], p) => {
    const xs = nhwc(x, "input");
    if (typeof xs === "string") return xs;
    if (g.length !== 4) return `gradient must be rank 4 [batch, height, width, channels], got rank ${g.length}`;
    const c = xs.c;
    const [kh, kw] = p.kernelSize;
    if (typeof c !== "number" || typeof g[3] !== "number") return "channel dims must be static";
    if (!Number.isInteger(p.groups) || p.groups < 1 || c % p.groups !== 0) return `input channels ${c} must be a multiple of groups ${p.groups}`;
    const d = convDims(xs, [kh, kw, c / p.groups, g[3]], p);
    if (typeof d === "string") return d;
    return gradientMismatch(g, d, xs.n) ?? [kh, kw, d.cg, d.o];
  },
  dtype: floatOnly,
  evaluate: ([x, g], p, outShape) => {
    const d = convDims({ n: x.shape[0], size: [x.shape[1], x.shape[2]], c: x.shape[3] }, outShape, p) as ConvDims;
    const dw = new Float64Array(numel(outShape));
    forEachProduct(d, batchOf(x), (xi, wi, yi) => {
      dw[wi] += (xi < 0 ? 0 : x.data[xi]) * g.data[yi];
    });
    return dw;
  },
  // ⟨conv2dFilterGrad(x, g), c⟩ = ⟨g, conv2d(x, c)⟩: in x it is the transposed conv of g by c.
  vjp: ({ inputs: [x, g], grad: c, params }) => [
    applyConv("conv2dTranspose", g, c, { ...geometry(params), inputSize: [x.shape[1] as number, x.shape[2] as number] }),
    applyConv("conv2d", x, c, geometry(params)),
  ],
});

type ConvKind = "conv2d" | "conv2dTranspose" | "conv2dFilterGrad";
const convOps: { readonly [K in ConvKind]: OpDef<K> } = { conv2d: conv2dOp, conv2dTranspose: conv2dTransposeOp, conv2dFilterGrad: conv2dFilterGradOp };

function applyConv<K extends ConvKind>(kind: K, a: AnyTensor, b: AnyTensor, params: OpParams[K]): AnyTensor {
  return apply(convOps[kind] as never, [a, b], params as never);
}

/** Strides and dilations default to 1; `stride` and `dilation` (PyTorch's names) work too. */
export interface Conv2dOptions extends WindowOptions {
  /** Channel groups; groups = input channels with a [kh, kw, 1, c·m] filter is depthwise. */
  readonly groups?: number;
}

/** Resolves options into params, turning any complaint into the op's usual error. */
function resolveConv(
  op: string,
  operands: readonly AnyTensor[],
  size: readonly [Dim, Dim],
  kernel: readonly [Dim, Dim],
  options: Conv2dOptions,
  known: readonly string[] = [],
): Conv2dParams {
  return asOpError(op, operands, () => {
    const given = windowOptions(options, ["groups", ...known]);
    const strides = pair(given.strides, 1, "strides");
    const dilations = pair(given.dilations, 1, "dilations");
    const groups = options.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1) throw new GraphError(`groups must be a positive integer, got ${JSON.stringify(groups)}`);
    if (typeof kernel[0] !== "number" || typeof kernel[1] !== "number") throw new GraphError(`filter spatial dims must be static, got ${JSON.stringify(kernel)}`);
    const pads = resolvePadding(options.padding ?? "valid", size, [kernel[0], kernel[1]], strides, dilations, "padding");
    return { strides, dilations, pads, groups };
  });
}

/**
 * 2-D convolution (cross-correlation, as in every framework) of NHWC `x` with filter
 * `w` [kh, kw, c/groups, out]: y[n, i, j, o] = Σ x[n, i·sh − top + a·dh, j·sw − left + b·dw, g·cg + k]·w[a, b, k, o]
 * where g is o's group and x is 0 in the padding. Padding is literal zeros, as in
 * PyTorch: conv2d with padding is the valid conv2d of the zero-padded x, IEEE
 * included (a NaN or ±∞ weight over the padding gives NaN, since 0·NaN is NaN).
 */
export function conv2d<X extends Shape, W extends Shape, D extends DType, const O extends Conv2dOptions = {}>(
  x: Tensor<X, D>,
  w: Tensor<W, NoInfer<D>> & CheckConv2d<X, W, GroupsOf<O>>,
  options?: O,
): Tensor<Conv2dShape<X, W>, D> {
  const params = resolveConv("conv2d", [x, w], [x.shape[1], x.shape[2]], [w.shape[0], w.shape[1]], options ?? {});
  return apply(conv2dOp, [x, w], params) as never;
}

/**
 * The transposed convolution: the input-gradient of conv2d with the same options,
 * mapping g [n, oh, ow, out] back to [n, h, w, c] with `inputSize` = [h, w].
 */
export function conv2dTranspose<G extends Shape, W extends Shape, D extends DType>(
  g: Tensor<G, D>,
  w: Tensor<W, NoInfer<D>>,
  options: Conv2dOptions & { readonly inputSize: readonly [number, number] },
): Tensor<Dim[], D> {
  const inputSize = pairOrThrow("conv2dTranspose", [g, w], options?.inputSize);
  const params = resolveConv("conv2dTranspose", [g, w], inputSize, [w.shape[0], w.shape[1]], options, ["inputSize"]);
  return apply(conv2dTransposeOp, [g, w], { ...params, inputSize }) as never;
}

/** The filter-gradient of conv2d with the same options: x [n, h, w, c] against g [n, oh, ow, out]. */
export function conv2dFilterGrad<X extends Shape, G extends Shape, D extends DType>(
  x: Tensor<X, D>,
  g: Tensor<G, NoInfer<D>>,
  options: Conv2dOptions & { readonly kernelSize: readonly [number, number] },
): Tensor<Dim[], D> {
  const kernelSize = pairOrThrow("conv2dFilterGrad", [x, g], options?.kernelSize);
  const params = resolveConv("conv2dFilterGrad", [x, g], [x.shape[1], x.shape[2]], kernelSize, options, ["kernelSize"]);
  return apply(conv2dFilterGradOp, [x, g], { ...params, kernelSize }) as never;
}

function pairOrThrow(op: string, operands: readonly AnyTensor[], value: readonly [number, number] | undefined): [number, number] {
  return asOpError(op, operands, () => {
    if (value === undefined) throw new GraphError("expected a size [h, w] in the options");
    return pair(value, 1, "size");
  });
}
