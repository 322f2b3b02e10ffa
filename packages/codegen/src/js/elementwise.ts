import type { AnyTensor } from "@gradfold/graph";
import type { ElementwiseKernel } from "../lower/kernel.ts";
import { externalInputs } from "../lower/kernel.ts";
import { broadcastStrides } from "../lower/shapes.ts";
import { emitChain, hoistScalars } from "./chain.ts";
import type { KernelContext } from "./context.ts";
import { mergeNest, offsetExpr, openLoops, type NestDim } from "./loops.ts";

/**
 * One loop nest over the kernel's shape. Every operand and stored result is indexed
 * by its broadcast strides; axes all operands walk contiguously are merged, so a
 * same-shape chain is a single flat loop. All loads happen before any store of the
 * same element, which is what makes in-place updates safe.
 */
export function emitElementwise(ctx: KernelContext, kernel: ElementwiseKernel): void {
  const hoisted = hoistScalars(ctx, externalInputs(kernel));
  const loads = externalInputs(kernel).filter((x) => ctx.scalar(x) === null && !hoisted.has(x));
  const stores = kernel.nodes.filter((n) => ctx.stored(n));
  const operands = [...loads, ...stores];
  const dims: NestDim[] = kernel.shape.map((size, axis) => ({
    size,
    strides: operands.map((x) => broadcastStrides(ctx.shapes.of(x), kernel.shape)[axis]),
  }));
  const nest = mergeNest(dims);
  const vars = openLoops(ctx.b, nest, "i");
  const index = (x: AnyTensor) => offsetExpr(vars, nest, operands.indexOf(x));
  const locals = emitChain(ctx, kernel.nodes, (x) => `${ctx.ref(x)}[${index(x)}]`, hoisted);
  for (const n of stores) ctx.b.line(`${ctx.ref(n)}[${index(n)}] = ${locals.get(n)};`);
  ctx.b.close(nest.length);
}
