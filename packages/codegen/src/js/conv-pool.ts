import type { Pool2dParams } from "@gradfold/graph/internal";
import type { KernelContext, NodeOf } from "./context.ts";
import { openRange, openTaps } from "./conv-taps.ts";

/**
 * Pooling over NHWC windows, sizes inlined. Max pooling scans each window row-major
 * and moves on when a value is strictly greater or NaN (PyTorch's rule, the
 * reference's poolArgmax); average pooling divides by the taps inside the input, or
 * by kh·kw with countIncludePad.
 */

/** Opens the loops over windows (n, oh, ow) and channels; `k` is the flat output index. */
function openWindows(ctx: KernelContext, out: readonly number[]): number {
  const [n, oh, ow, c] = out;
  const opened = openRange(ctx.b, [
    ["n", n],
    ["oh", oh],
    ["ow", ow],
    ["ch", c],
  ]);
  ctx.b.line(`const k = ((n * ${oh} + oh) * ${ow} + ow) * ${c} + ch;`);
  return opened;
}

/** Inside the window's loops: the flat input offset of the tap. */
function tapOffset(ctx: KernelContext, x: readonly number[]): void {
  ctx.b.line(`const i = ((n * ${x[1]} + ih) * ${x[2]} + iw) * ${x[3]} + ch;`);
}

function describe(ctx: KernelContext, what: string, x: readonly number[], p: Pool2dParams): void {
  ctx.b.line(
    `// ${what} over x [${x.join(", ")}]: window ${p.kernel.join("×")}, strides ${p.strides.join("×")}, dilations ${p.dilations.join("×")}, pads ${JSON.stringify(p.pads)}`,
  );
}

/** Scans one window of X for its argmax `at` (see the file comment). */
function argmax(ctx: KernelContext, X: string, x: readonly number[], p: Pool2dParams): void {
  const b = ctx.b;
  b.line("let at = -1;");
  b.line("let best = 0;");
  const taps = openTaps(b, p, p.kernel, [x[1], x[2]]);
  tapOffset(ctx, x);
  b.line(`const v = ${X}[i];`);
  b.block("if (at < 0 || v > best || v !== v)", () => {
    b.line("best = v;");
    b.line("at = i;");
  });
  b.close(taps);
}

/** y = values at each window's argmax of x (values is x itself for plain max pooling). */
export function emitMaxPool2d(ctx: KernelContext, node: NodeOf<"maxPool2d">): void {
  const [x, v] = node.inputs;
  const shape = ctx.shapes.of(x);
  describe(ctx, "maxPool2d", shape, node.params);
  const windows = openWindows(ctx, ctx.shapes.of(node));
  argmax(ctx, ctx.ref(x), shape, node.params);
  ctx.b.line(`${ctx.ref(node)}[k] = ${v === x ? "best" : `${ctx.ref(v)}[at]`};`);
  ctx.b.close(windows);
}

/** dx = g added at each window's argmax of x. */
export function emitMaxPool2dGrad(ctx: KernelContext, node: NodeOf<"maxPool2dGrad">): void {
  const [x, g] = node.inputs;
  const shape = ctx.shapes.of(x);
  describe(ctx, "maxPool2dGrad", shape, node.params);
  ctx.b.line(`${ctx.ref(node)}.fill(0);`);
  const windows = openWindows(ctx, ctx.shapes.of(g));
  argmax(ctx, ctx.ref(x), shape, node.params);
  ctx.b.line(`${ctx.ref(node)}[at] += ${ctx.ref(g)}[k];`);
  ctx.b.close(windows);
}

/** The divisor of a window: a literal kh·kw with countIncludePad, else counted over the taps inside x. */
function countOf(ctx: KernelContext, p: NodeOf<"avgPool2d">["params"], shape: readonly number[]): string {
  if (p.countIncludePad) return String(p.kernel[0] * p.kernel[1]);
  ctx.b.line("let count = 0;");
  const taps = openTaps(ctx.b, p, p.kernel, [shape[1], shape[2]]);
  ctx.b.line("count++;");
  ctx.b.close(taps);
  return "count";
}

/** y = the window's sum over the taps inside x, over the window's divisor. */
export function emitAvgPool2d(ctx: KernelContext, node: NodeOf<"avgPool2d">): void {
  const [x] = node.inputs;
  const shape = ctx.shapes.of(x);
  const b = ctx.b;
  describe(ctx, `avgPool2d (${node.params.countIncludePad ? "padding counted" : "padding not counted"})`, shape, node.params);
  const windows = openWindows(ctx, ctx.shapes.of(node));
  const count = countOf(ctx, node.params, shape);
  b.line("let s = 0;");
  const taps = openTaps(b, node.params, node.params.kernel, [shape[1], shape[2]]);
  tapOffset(ctx, shape);
  b.line(`s += ${ctx.ref(x)}[i];`);
  b.close(taps);
  b.line(`${ctx.ref(node)}[k] = s / ${count};`);
  b.close(windows);
}

/** dx = each window's g over its divisor, added at every tap inside x. */
export function emitAvgPool2dGrad(ctx: KernelContext, node: NodeOf<"avgPool2dGrad">): void {
  const [g] = node.inputs;
  const shape = ctx.shapes.of(node);
  const p = node.params;
  const b = ctx.b;
  describe(ctx, `avgPool2dGrad (${p.countIncludePad ? "padding counted" : "padding not counted"})`, shape, p);
  b.line(`${ctx.ref(node)}.fill(0);`);
  const windows = openWindows(ctx, ctx.shapes.of(g));
  const count = countOf(ctx, p, shape);
  b.line(`const share = ${ctx.ref(g)}[k] / ${count};`);
  const taps = openTaps(b, p, p.kernel, [shape[1], shape[2]]);
  tapOffset(ctx, shape);
  b.line(`${ctx.ref(node)}[i] += share;`);
  b.close(taps + windows);
}
