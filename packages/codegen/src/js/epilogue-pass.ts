import type { AnyTensor } from "@gradfold/graph";
import { broadcastStrides, contiguousStrides } from "../lower/shapes.ts";
import { emitChain, hoistScalars } from "./chain.ts";
import type { KernelContext } from "./context.ts";
import { mergeNest, offsetExpr, openLoops, type NestDim } from "./loops.ts";

/**
 * An epilogue as a JS loop over a product already computed (row-major `outShape` in
 * the `product` array): `head` is the product's node, `epilogue` the nodes computed
 * from it, each stored one written at the same index. Operands broadcast into
 * `outShape`, axes merged where contiguous, so a same-shape epilogue (an SGD update
 * over a weight) is one flat loop. Every read of index i comes before any write of
 * index i, so the product may sit in the buffer of one of the stored nodes. Used by
 * the Wasm matmul and conv kernels whose epilogue the Wasm loop does not take.
 */
export function epiloguePass(ctx: KernelContext, head: AnyTensor, epilogue: readonly AnyTensor[], outShape: readonly number[], product: string): void {
  const inside = new Set([head, ...epilogue]);
  const external = [...new Set(epilogue.flatMap((n) => n.inputs))].filter((x) => !inside.has(x));
  const hoisted = hoistScalars(ctx, external);
  const loads = external.filter((x) => ctx.scalar(x) === null && !hoisted.has(x));
  const stores = epilogue.filter((x) => ctx.stored(x));
  const operands = [head, ...loads, ...stores];
  const own = contiguousStrides(outShape);
  const dims: NestDim[] = outShape.map((size, axis) => ({
    size,
    strides: operands.map((x) => (x === head ? own[axis] : broadcastStrides(ctx.shapes.of(x), outShape)[axis])),
  }));
  const nest = mergeNest(dims);
  const vars = openLoops(ctx.b, nest, "i");
  const index = (x: AnyTensor) => offsetExpr(vars, nest, operands.indexOf(x));
  ctx.b.line(`const acc = ${product}[${index(head)}];`);
  const locals = emitChain(ctx, epilogue, (x) => `${ctx.ref(x)}[${index(x)}]`, new Map([...hoisted, [head, "acc"]]));
  for (const x of stores) ctx.b.line(`${ctx.ref(x)}[${index(x)}] = ${locals.get(x)};`);
  ctx.b.close(nest.length);
}
