import type { AnyTensor } from "@gradfold/graph";
import { broadcastStrides, contiguousStrides } from "../lower/shapes.ts";
import type { KernelContext, NodeOf } from "./context.ts";
import { mergeNest, offsetExpr, openLoops, type NestDim } from "./loops.ts";

/**
 * Layout ops as strided copies with constant strides: `dst[Σ i·d + d0] = src[Σ i·s + s0]`
 * over a box of `shape`. Axes both sides walk contiguously merge into one loop.
 */
function stridedCopy(
  ctx: KernelContext,
  shape: readonly number[],
  src: { name: string; strides: readonly number[]; base: number },
  dst: { name: string; strides: readonly number[]; base: number },
): void {
  const dims: NestDim[] = shape.map((size, i) => ({ size, strides: [src.strides[i], dst.strides[i]] }));
  const nest = mergeNest(dims);
  if (shape.some((d) => d === 0)) return;
  const vars = openLoops(ctx.b, nest, "i");
  ctx.b.line(`${dst.name}[${offsetExpr(vars, nest, 1, dst.base)}] = ${src.name}[${offsetExpr(vars, nest, 0, src.base)}];`);
  ctx.b.close(nest.length);
}

const dense = (ctx: KernelContext, node: AnyTensor) => ({ name: ctx.ref(node), strides: contiguousStrides(ctx.shapes.of(node)), base: 0 });

export function emitTranspose(ctx: KernelContext, node: NodeOf<"transpose">): void {
  const [x] = node.inputs;
  const own = contiguousStrides(ctx.shapes.of(x));
  stridedCopy(ctx, ctx.shapes.of(node), { name: ctx.ref(x), strides: node.params.perm.map((p) => own[p]), base: 0 }, dense(ctx, node));
}

export function emitBroadcastTo(ctx: KernelContext, node: NodeOf<"broadcastTo">): void {
  const [x] = node.inputs;
  const shape = ctx.shapes.of(node);
  stridedCopy(ctx, shape, { name: ctx.ref(x), strides: broadcastStrides(ctx.shapes.of(x), shape), base: 0 }, dense(ctx, node));
}

export function emitSlice(ctx: KernelContext, node: NodeOf<"slice">): void {
  const [x] = node.inputs;
  const own = contiguousStrides(ctx.shapes.of(x));
  const base = node.params.begin.reduce((acc, b, i) => acc + b * own[i], 0);
  stridedCopy(ctx, ctx.shapes.of(node), { name: ctx.ref(x), strides: own, base }, dense(ctx, node));
}

/** Zeros everywhere, then the operand copied into its box. */
export function emitPad(ctx: KernelContext, node: NodeOf<"pad">): void {
  const [x] = node.inputs;
  const outStrides = contiguousStrides(ctx.shapes.of(node));
  ctx.b.line(`${ctx.ref(node)}.fill(0);`);
  const base = node.params.before.reduce((acc, b, i) => acc + b * outStrides[i], 0);
  stridedCopy(ctx, ctx.shapes.of(x), dense(ctx, x), { name: ctx.ref(node), strides: outStrides, base });
}

/** Each operand copied into its slab along the axis. */
export function emitConcat(ctx: KernelContext, node: NodeOf<"concat">): void {
  const outStrides = contiguousStrides(ctx.shapes.of(node));
  const axis = node.params.axis;
  let at = 0;
  for (const x of node.inputs) {
    const shape = ctx.shapes.of(x);
    stridedCopy(ctx, shape, dense(ctx, x), { name: ctx.ref(node), strides: outStrides, base: at * outStrides[axis] });
    at += shape[axis];
  }
}
