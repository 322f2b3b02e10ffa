import type { AnyTensor, KernelArray } from "@gradfold/graph";
import { customOpSpec, registry, type Value } from "@gradfold/graph/internal";
import type { BoundShapes } from "../lower/shapes.ts";
import type { KernelContext, NodeOf } from "./context.ts";

/**
 * A user-defined op inside a compiled step. Generated code cannot hold the user's
 * functions, so compile() passes them in: `customCalls[i]` with a preallocated
 * operand list the kernel fills with its buffers, then `run(inputs, out)`.
 */
export interface CustomCall {
  readonly inputs: KernelArray[];
  run(inputs: readonly KernelArray[], out: KernelArray): void;
}

/** Builds the call for one custom node: the spec's `compute` on the buffers, else the float64 reference (which allocates). */
export function customCall(node: AnyTensor, shapes: BoundShapes): CustomCall {
  const params = (node as NodeOf<"custom">).params;
  const spec = customOpSpec(params.id);
  const kernelShapes = { inputs: node.inputs.map((x) => shapes.of(x)), out: shapes.of(node) };
  const inputs = new Array<KernelArray>(node.inputs.length);
  if (spec.compute) {
    const compute = spec.compute;
    return { inputs, run: (arrays, out) => compute(arrays, out, kernelShapes) };
  }
  // The documented slow path: float64 copies in, the reference, a copy out.
  const values: Value[] = kernelShapes.inputs.map((shape) => ({ data: new Float64Array(shape.reduce((a, b) => a * b, 1)), shape }));
  const evaluate = registry.custom.evaluate!;
  return {
    inputs,
    run: (arrays, out) => {
      arrays.forEach((a, i) => {
        values[i].data.set(a);
      });
      out.set(evaluate(values, params, kernelShapes.out));
    },
  };
}

/** The kernel body: fill the preallocated operand list, call the user's op. */
export function emitCustom(ctx: KernelContext, node: NodeOf<"custom">): void {
  const index = ctx.custom(node);
  ctx.b.line(`// custom op ${JSON.stringify(node.params.name).replace(/[\u2028\u2029]/g, "")} (#${node.params.id}): the user's code, on this kernel's buffers.`);
  ctx.b.line(`const call = customCalls[${index}];`);
  node.inputs.forEach((x, i) => {
    ctx.b.line(`call.inputs[${i}] = ${ctx.ref(x)};`);
  });
  ctx.b.line(`call.run(call.inputs, ${ctx.ref(node)});`);
}
