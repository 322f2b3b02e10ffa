import type { KernelContext, NodeOf } from "./context.ts";
import { affine, openRange, openTaps } from "./conv-taps.ts";

/**
 * Direct convolutions, NHWC input and [kh, kw, c/groups, out] filter, every size a
 * literal. Sums run in float64 (a scratch row or a local) and are rounded once when
 * stored, as the reference's are; padding is zeros that still multiply (0·NaN is
 * NaN), as in the reference. The innermost loop walks the contiguous output channels.
 */

/** The sizes of one conv: input, filter, output, groups. */
export interface Dims {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  cg: number;
  o: number;
  oh: number;
  ow: number;
  groups: number;
  og: number;
}

function dims(x: readonly number[], w: readonly number[], y: readonly number[], groups: number): Dims {
  return { n: x[0], h: x[1], w: x[2], c: x[3], kh: w[0], kw: w[1], cg: w[2], o: w[3], oh: y[1], ow: y[2], groups, og: w[3] / groups };
}

/** The comment heading each kernel: what it computes, at which geometry. */
function header(ctx: KernelContext, what: string, d: Dims, p: NodeOf<"conv2d">["params"]): void {
  ctx.b.line(`// ${what}: x [${d.n}, ${d.h}, ${d.w}, ${d.c}], filter [${d.kh}, ${d.kw}, ${d.cg}, ${d.o}], y [${d.n}, ${d.oh}, ${d.ow}, ${d.o}]`);
  ctx.b.line(`// strides ${p.strides.join("×")}, dilations ${p.dilations.join("×")}, pads [top, bottom, left, right] ${JSON.stringify(p.pads)}, groups ${p.groups}`);
}

/** Offsets into x, filter and y at the open (n, ih, iw) / (kh, kw) / (n, oh, ow) loops. */
const xAt = (d: Dims) => `((n * ${d.h} + ih) * ${d.w} + iw) * ${d.c}`;
const wAt = (d: Dims) => `(kh * ${d.kw} + kw) * ${d.cg * d.o}`;
const yAt = (d: Dims) => `((n * ${d.oh} + oh) * ${d.ow} + ow) * ${d.o}`;

/** x at the open tap and channel: 0 in the padding (no check when there is none). */
const readX = (X: string, p: NodeOf<"conv2d">["params"]) => (p.pads.some((v) => v > 0) ? `inside ? ${X}[xt + xc] : 0` : `${X}[xt + xc]`);

/** Loops over groups and the group's input channels, with the channel offsets xc and wc. */
function openChannels(ctx: KernelContext, d: Dims): number {
  const b = ctx.b;
  const opened = openRange(
    b,
    d.groups > 1
      ? [
          ["g", d.groups],
          ["ci", d.cg],
        ]
      : [["ci", d.cg]],
  );
  b.line(
    `const xc = ${affine(
      d.groups > 1
        ? [
            ["g", d.cg],
            ["ci", 1],
          ]
        : [["ci", 1]],
    )};`,
  );
  b.line(
    `const wc = ${affine(
      d.groups > 1
        ? [
            ["ci", d.o],
            ["g", d.og],
          ]
        : [["ci", d.o]],
    )};`,
  );
  return opened;
}

/**
 * y[n, oh, ow, :] = Σ over taps and group channels of x·w, in a float64 row `acc`,
 * stored at yt. A conv kernel passes `finishRow` instead (conv-epilogue.ts): it emits
 * the code that takes each finished row through the epilogue and stores what is stored.
 */
export function emitConv2d(ctx: KernelContext, node: NodeOf<"conv2d">, finishRow?: (d: Dims) => void): void {
  const [x, w] = node.inputs;
  const d = dims(ctx.shapes.of(x), ctx.shapes.of(w), ctx.shapes.of(node), node.params.groups);
  const [X, W] = [ctx.ref(x), ctx.ref(w)];
  const b = ctx.b;
  header(ctx, "conv2d", d, node.params);
  b.line(`const acc = new Float64Array(${d.o});`);
  const outer = openRange(b, [
    ["n", d.n],
    ["oh", d.oh],
    ["ow", d.ow],
  ]);
  b.line("acc.fill(0);");
  const taps = openTaps(b, node.params, [d.kh, d.kw], [d.h, d.w], true);
  b.line(`const xt = ${xAt(d)};`);
  b.line(`const wt = ${wAt(d)};`);
  const channels = openChannels(ctx, d);
  b.line(`const xv = ${readX(X, node.params)};`);
  const oBase = d.groups > 1 ? `g * ${d.og} + ` : "";
  b.line(`for (let o = 0; o < ${d.og}; o++) acc[${oBase}o] += xv * ${W}[wt + wc + o];`);
  b.close(channels + taps);
  b.line(`const yt = ${yAt(d)};`);
  if (finishRow) finishRow(d);
  else b.line(`for (let o = 0; o < ${d.o}; o++) ${ctx.ref(node)}[yt + o] = acc[o];`);
  b.close(outer);
}

/**
 * dx[n, ih, iw, c] = Σ over the (oh, ow, kh, kw) that read it of g·w: a gather, so
 * every input element is written once. A tap reaches output row oh when
 * ih + top − kh·dh is a multiple of the stride inside [0, oh).
 */
export function emitConv2dTranspose(ctx: KernelContext, node: NodeOf<"conv2dTranspose">): void {
  const [g, w] = node.inputs;
  const d = dims(ctx.shapes.of(node), ctx.shapes.of(w), ctx.shapes.of(g), node.params.groups);
  const [G, W, DX] = [ctx.ref(g), ctx.ref(w), ctx.ref(node)];
  const p = node.params;
  const b = ctx.b;
  header(ctx, "conv2dTranspose (conv2d's input-gradient, as a gather)", d, p);
  const outer = openRange(b, [
    ["n", d.n],
    ["ih", d.h],
    ["iw", d.w],
  ]);
  b.line(`const xt = ${xAt(d)};`);
  const channels = openChannels(ctx, d);
  b.line("let s = 0;");
  const axis = (k: string, o: string, i: string, n: number, stride: number, before: number, dilation: number, extent: number) => {
    b.open(`for (let ${k} = 0; ${k} < ${n}; ${k}++)`);
    const t = affine([[i, 1], before, [k, -dilation]]);
    if (stride === 1) {
      b.line(`const ${o} = ${t};`);
      b.line(`if (${o} < 0 || ${o} >= ${extent}) continue;`);
    } else {
      b.line(`const t${o} = ${t};`);
      b.line(`if (t${o} < 0 || t${o} % ${stride} !== 0) continue;`);
      b.line(`const ${o} = t${o} / ${stride};`);
      b.line(`if (${o} >= ${extent}) continue;`);
    }
  };
  axis("kh", "oh", "ih", d.kh, p.strides[0], p.pads[0], p.dilations[0], d.oh);
  axis("kw", "ow", "iw", d.kw, p.strides[1], p.pads[2], p.dilations[1], d.ow);
  const groupBase = d.groups > 1 ? ` + g * ${d.og}` : "";
  b.line(`const gt = ${yAt(d)}${groupBase};`);
  b.line(`const wt = ${wAt(d)} + wc;`);
  b.line(`for (let o = 0; o < ${d.og}; o++) s += ${G}[gt + o] * ${W}[wt + o];`);
  b.close(2);
  b.line(`${DX}[xt + xc] = s;`);
  b.close(channels + outer);
}

/** dw[kh, kw, ci, o] = Σ over (n, oh, ow) of x·g, accumulated in a float64 copy of dw. */
export function emitConv2dFilterGrad(ctx: KernelContext, node: NodeOf<"conv2dFilterGrad">): void {
  const [x, g] = node.inputs;
  const d = dims(ctx.shapes.of(x), ctx.shapes.of(node), ctx.shapes.of(g), node.params.groups);
  const [X, G, DW] = [ctx.ref(x), ctx.ref(g), ctx.ref(node)];
  const b = ctx.b;
  header(ctx, "conv2dFilterGrad (conv2d's filter-gradient)", d, node.params);
  const size = d.kh * d.kw * d.cg * d.o;
  b.line(`const acc = new Float64Array(${size});`);
  const outer = openRange(b, [
    ["n", d.n],
    ["oh", d.oh],
    ["ow", d.ow],
  ]);
  b.line(`const yt = ${yAt(d)};`);
  const taps = openTaps(b, node.params, [d.kh, d.kw], [d.h, d.w], true);
  b.line(`const xt = ${xAt(d)};`);
  b.line(`const wt = ${wAt(d)};`);
  const channels = openChannels(ctx, d);
  b.line(`const xv = ${readX(X, node.params)};`);
  const gBase = d.groups > 1 ? ` + g * ${d.og}` : "";
  b.line(`const at = wt + wc;`);
  b.line(`for (let o = 0; o < ${d.og}; o++) acc[at + o] += xv * ${G}[yt${gBase} + o];`);
  b.close(channels + taps + outer);
  b.line(`for (let i = 0; i < ${size}; i++) ${DW}[i] = acc[i];`);
}
