import type { AnyTensor } from "@gradfold/graph";
import { describeGroup, type KernelGroup } from "@gradfold/optimize";
import type { Kernel } from "./kernel.ts";
import { fusesElementwise, opClass } from "./op-class.ts";
import { sameDims, type BoundShapes } from "./shapes.ts";

/**
 * Lowers each of the plan's kernel groups to exactly one kernel. The optimizer decided
 * the groups; a group no kernel template takes whole is an error (a bug in fusion or
 * here), never silently split into smaller kernels.
 */
export function lowerPlan(groups: readonly KernelGroup[], shapes: BoundShapes): Kernel[] {
  return groups.map((group) => {
    const kernel = lowerGroup(group, shapes);
    if (typeof kernel === "string") throw new Error(`codegen: cannot lower kernel ${describeGroup(group)} whole: ${kernel}`);
    return kernel;
  });
}

/** The kernel for a group, or why there is none. */
function lowerGroup(group: KernelGroup, shapes: BoundShapes): Kernel | string {
  const { id, nodes } = group;
  const [head, ...rest] = nodes;
  if (nodes.every(fusesElementwise)) {
    const shape = shapes.of(head);
    if (!nodes.every((n) => sameDims(shapes.of(n), shape))) return "its elementwise nodes differ in shape";
    return { id, kind: "elementwise", nodes, shape };
  }
  if (opClass[head.op] === "matmul") {
    if (!rest.every(fusesElementwise)) return "a matmul epilogue must be elementwise";
    const out = shapes.of(head);
    if (rest.length > 0 && out.length !== 2) return "an epilogue needs a rank-2 product";
    if (!rest.every((n) => sameDims(shapes.of(n), out))) return "epilogue nodes differ from the product's shape";
    return { id, kind: "matmul", nodes, matmul: head, epilogue: rest };
  }
  if (head.op === "conv2d" && rest.length > 0) {
    if (!rest.every(fusesElementwise)) return "a conv epilogue must be elementwise";
    const out = shapes.of(head);
    if (!rest.every((n) => sameDims(shapes.of(n), out))) return "epilogue nodes differ from the conv's output shape";
    return { id, kind: "conv", nodes, conv: head, epilogue: rest };
  }
  const at = nodes.findIndex((n) => opClass[n.op] === "reduction");
  if (at >= 0) {
    const reduce = nodes[at];
    const prologue = nodes.slice(0, at);
    const epilogue = nodes.slice(at + 1);
    const source = shapes.of(reduce.inputs[0]);
    const out = shapes.of(reduce);
    if (!prologue.every((n) => fusesElementwise(n) && sameDims(shapes.of(n), source) && !group.outputs.includes(n)))
      return "the prologue must be elementwise over the reduction's input, used only inside";
    if (prologue.length > 0 && !prologue.includes(reduce.inputs[0])) return "the prologue must compute the reduction's input";
    if (!epilogue.every((n) => fusesElementwise(n) && sameDims(shapes.of(n), out) && !n.inputs.some((x) => prologue.includes(x))))
      return "the epilogue must be elementwise over the reduction's output";
    return { id, kind: "reduction", nodes, prologue, reduce, epilogue };
  }
  if (nodes.length !== 1) return "only elementwise, matmul and reduction kernels fuse several nodes";
  if (opClass[head.op] === "leaf" || opClass[head.op] === "alias") return `${head.op} computes nothing`;
  return { id, kind: "op", nodes, node: head };
}

/** The nodes whose values leave their kernel: exactly the groups' outputs. */
export function storedNodes(groups: readonly KernelGroup[]): Set<AnyTensor> {
  return new Set(groups.flatMap((g) => g.outputs));
}
