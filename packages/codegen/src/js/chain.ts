import type { AnyTensor } from "@gradfold/graph";
import type { KernelContext, NodeOf } from "./context.ts";
import { jsOps } from "./op-table.ts";

/**
 * Emits one element of an elementwise chain: `const vN = <expr>;` per node, reading
 * operands computed earlier in the chain from locals and everything else through
 * `read` (an array element or a scalar literal). Returns the local of each node.
 */
export function emitChain(
  ctx: KernelContext,
  nodes: readonly AnyTensor[],
  read: (operand: AnyTensor) => string,
  locals: Map<AnyTensor, string> = new Map(),
  suffix = "",
): Map<AnyTensor, string> {
  for (const node of nodes) {
    const op = jsOps[node.op];
    const args = node.inputs.map((x) => locals.get(x) ?? ctx.scalar(x) ?? read(x));
    const name = `v${node.id}${suffix}`;
    if (op.kind === "broadcast") {
      // The loop already indexes the operand with broadcasting.
      ctx.b.line(`const ${name} = ${args[0]};`);
    } else if (op.kind === "scalar") {
      ctx.b.line(`const ${name} = ${(op.expr as (a: readonly string[], n: NodeOf<typeof node.op>, c: KernelContext) => string)(args, node as never, ctx)};`);
    } else throw new Error(`codegen: ${node.op} is not elementwise`);
    locals.set(node, name);
  }
  return locals;
}

/**
 * Loads one-element operands once, before the loops (`const s12 = t12[0];`): V8
 * cannot hoist them itself past the stores in the loop. Returns them as locals.
 */
export function hoistScalars(ctx: KernelContext, operands: readonly AnyTensor[]): Map<AnyTensor, string> {
  const hoisted = new Map<AnyTensor, string>();
  for (const x of operands) {
    if (ctx.shapes.count(x) !== 1 || ctx.scalar(x) !== null) continue;
    const name = `s${x.id}`;
    ctx.b.line(`const ${name} = ${ctx.ref(x)}[0];`);
    hoisted.set(x, name);
  }
  return hoisted;
}
