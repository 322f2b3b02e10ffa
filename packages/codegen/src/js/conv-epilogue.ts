import type { AnyTensor } from "@gradfold/graph";
import type { ConvKernel } from "../lower/kernel.ts";
import { broadcastStrides } from "../lower/shapes.ts";
import { emitChain } from "./chain.ts";
import type { KernelContext, NodeOf } from "./context.ts";
import { emitConv2d, type Dims } from "./conv.ts";
import { affine } from "./conv-taps.ts";

/**
 * A conv kernel in JS: the direct convolution (conv.ts) with its elementwise epilogue
 * (bias add, activation, a residual add, …) applied to each finished output row before
 * anything is stored: one pass, and only the kernel's stored nodes are written.
 */
export function emitConvKernel(ctx: KernelContext, kernel: ConvKernel): void {
  const node = kernel.conv as NodeOf<"conv2d">;
  emitConv2d(ctx, node, (d) => rowEpilogue(ctx, node, kernel.epilogue, d));
}

/**
 * The epilogue on output row (n, oh, ow) of a conv kernel: each channel's sum rounded
 * to float32 (the conv's value), the chain, the stored nodes written at yt + o.
 * Operands read with broadcasting to [n, oh, ow, o] (a bias [o] at o).
 */
function rowEpilogue(ctx: KernelContext, node: AnyTensor, epilogue: readonly AnyTensor[], d: Dims): void {
  const b = ctx.b;
  const outShape = [d.n, d.oh, d.ow, d.o];
  const own = broadcastStrides(outShape, outShape);
  const read = (x: AnyTensor) => {
    const strides = broadcastStrides(ctx.shapes.of(x), outShape);
    if (strides.every((s, i) => s === own[i])) return `${ctx.ref(x)}[yt + o]`;
    return `${ctx.ref(x)}[${affine(strides.map((s, i) => [["n", "oh", "ow", "o"][i], s] as const))}]`;
  };
  b.open(`for (let o = 0; o < ${d.o}; o++)`);
  b.line("const y = Math.fround(acc[o]);");
  if (ctx.stored(node)) b.line(`${ctx.ref(node)}[yt + o] = y;`);
  const locals = emitChain(ctx, epilogue, read, new Map([[node, "y"]]));
  for (const x of epilogue) if (ctx.stored(x)) b.line(`${ctx.ref(x)}[yt + o] = ${locals.get(x)};`);
  b.close();
}
