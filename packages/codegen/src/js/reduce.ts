import type { AnyTensor } from "@gradfold/graph";
import type { OpParams } from "@gradfold/graph/internal";
import { externalInputs, type ReductionKernel } from "../lower/kernel.ts";
import { broadcastStrides } from "../lower/shapes.ts";
import { emitChain, hoistScalars } from "./chain.ts";
import type { KernelContext } from "./context.ts";
import { mergeNest, offsetExpr, openLoops, type NestDim } from "./loops.ts";
import { jsOps } from "./op-table.ts";

/**
 * A reduction. The prologue chain is evaluated per element inside the innermost
 * loops and folded into float64 locals, so `sum(g * x)` never materialises g·x; the
 * epilogue runs on each result before it is stored (e.g. `mean` as sum / n).
 */
export function emitReduction(ctx: KernelContext, kernel: ReductionKernel): void {
  const node = kernel.reduce;
  const op = jsOps[node.op];
  if (op.kind !== "reduction") throw new Error(`codegen: ${node.op} is not a reduction`);
  const { axes, keepdims } = node.params as OpParams["sum"];
  const source = node.inputs[0];
  const inShape = ctx.shapes.of(source);
  const outShape = ctx.shapes.of(node);
  const hoisted = hoistScalars(ctx, [...kernel.prologue, ...kernel.epilogue].length === 0 ? [] : externalInputs(kernel).filter((x) => x !== source || kernel.prologue.length > 0));
  const loadsOf = (nodes: readonly AnyTensor[]) => externalInputs({ ...kernel, nodes }).filter((x) => ctx.scalar(x) === null && x !== node && !hoisted.has(x));
  const preLoads = kernel.prologue.length === 0 ? [source] : loadsOf(kernel.prologue);
  const postLoads = loadsOf(kernel.epilogue).filter((x) => !preLoads.includes(x));
  const operands = [...preLoads, ...postLoads];
  const kept = inShape.map((_, i) => i).filter((i) => !axes.includes(i));
  // The output axis each kept input axis lands on.
  const outAxis = (axis: number) => (keepdims ? axis : kept.indexOf(axis));
  const inStrides = preLoads.map((x) => broadcastStrides(ctx.shapes.of(x), inShape));
  const outStrides = postLoads.map((x) => broadcastStrides(ctx.shapes.of(x), outShape));
  const dim = (axis: number, isKept: boolean): NestDim => ({
    size: inShape[axis],
    strides: [...inStrides.map((s) => s[axis]), ...outStrides.map((s) => (isKept ? s[outAxis(axis)] : 0))],
  });
  const keptNest = mergeNest(kept.map((a) => dim(a, true)));
  const reducedNest = mergeNest(axes.map((a) => dim(a, false)));
  const b = ctx.b;
  b.line("let o = 0;");
  const outer = openLoops(b, keptNest, "i");
  const innerVars = reducedNest.map((_, i) => `r${i}`);
  const readIn = (x: AnyTensor) => `${ctx.ref(x)}[${offsetExpr([...outer, ...innerVars], [...keptNest, ...reducedNest], operands.indexOf(x))}]`;
  const readOut = (x: AnyTensor) => `${ctx.ref(x)}[${offsetExpr(outer, keptNest, operands.indexOf(x))}]`;
  const over = (body: (v: string) => void) => {
    openLoops(b, reducedNest, "r");
    // Nothing left to reduce (size-1 axes) means no loop; a block still scopes the prologue's locals.
    if (reducedNest.length === 0) b.open("");
    body(kernel.prologue.length === 0 ? readIn(source) : emitChain(ctx, kernel.prologue, readIn, new Map(hoisted)).get(source)!);
    b.close(Math.max(1, reducedNest.length));
  };
  const result = op.fold(b, over);
  b.line(`const v${node.id} = ${result};`);
  const locals = emitChain(ctx, kernel.epilogue, readOut, new Map([...hoisted, [node, `v${node.id}`]]));
  for (const n of kernel.nodes) if (ctx.stored(n) && locals.has(n)) b.line(`${ctx.ref(n)}[o] = ${locals.get(n)};`);
  b.line("o++;");
  b.close(outer.length);
}
