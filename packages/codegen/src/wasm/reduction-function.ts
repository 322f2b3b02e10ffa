import type { AnyTensor } from "@gradfold/graph";
import { scalarLiteral } from "../js/kernel-source.ts";
import type { ReductionKernel } from "../lower/kernel.ts";
import type { BoundShapes } from "../lower/shapes.ts";
import { tempLocals } from "./activation.ts";
import { simdRules, type Push } from "./elementwise.ts";
import { FunctionBuilder, type Local } from "./function-builder.ts";

/**
 * What the row and column reduction kernels share: a function `(pointers...,
 * scalars...) -> ()` with each one-element operand splat once, a v128 local per node
 * of the kernel, and the prologue/epilogue chains run with the elementwise loop's
 * f32x4 rules, each operand pushed by the caller's `push`.
 */
export interface ReductionFunction {
  readonly fn: FunctionBuilder;
  readonly pointer: ReadonlyMap<AnyTensor, Local>;
  /** The node's value, or a splat one-element operand. */
  local(x: AnyTensor): Local | undefined;
  /** Pushes a literal operand (a one-element constant or size) as four lanes. */
  literal(x: AnyTensor): void;
  chain(nodes: readonly AnyTensor[], push: (x: AnyTensor) => Push): void;
}

export function reductionFunction(kernel: ReductionKernel, pointers: readonly AnyTensor[], scalars: readonly AnyTensor[], shapes: BoundShapes): ReductionFunction {
  const fn = new FunctionBuilder([...pointers.map(() => "i32" as const), ...scalars.map(() => "f32" as const)]);
  const pointer = new Map(pointers.map((x, i) => [x, fn.param(i)]));
  const values = new Map<AnyTensor, Local>();
  scalars.forEach((x, i) => {
    const l = fn.local("v128");
    fn.get(fn.param(pointers.length + i))
      .simd("f32x4.splat")
      .set(l);
    values.set(x, l);
  });
  for (const n of kernel.nodes) values.set(n, fn.local("v128"));
  const temps = tempLocals(fn);
  const temp = temps.temp("v128");
  return {
    fn,
    pointer,
    local: (x) => values.get(x),
    literal: (x) => fn.f32x4(Number(scalarLiteral(x, shapes)!.replace(/[()]/g, ""))),
    chain(nodes, push) {
      for (const node of nodes) {
        temps.reset();
        simdRules[node.op]!(fn, node.inputs.map(push), temp);
        fn.set(values.get(node)!);
      }
    },
  };
}
