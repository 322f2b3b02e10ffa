import { numel, type AnyTensor, type Sizes } from "@gradfold/graph";
import { bindShape, defOf, hasTrait, topoSort } from "@gradfold/graph/internal";
import type { BufferPlan, KernelGroup, Program, Schedule } from "./program.ts";

/** Every node a program needs: its outputs and its update values. */
export function programRoots(program: Program): AnyTensor[] {
  return [...Object.values(program.outputs), ...program.updates.map(([, value]) => value)];
}

export function groupKind(node: AnyTensor): KernelGroup["kind"] {
  const def = defOf(node);
  if (hasTrait(def, "contraction")) return "matmul";
  if (hasTrait(def, "elementwise")) return "elementwise";
  if (hasTrait(def, "reduction")) return "reduction";
  if (hasTrait(def, "layout")) return "layout";
  return "opaque";
}

/**
 * The baseline schedule: one kernel per non-leaf node, every value in its own
 * buffer. Fusion and memory planning replace this; it stays as the reference
 * the optimized schedules are checked against.
 */
export function unfusedSchedule(program: Program, sizes: Sizes): Schedule {
  const order = topoSort(programRoots(program));
  const groups: KernelGroup[] = [];
  for (const node of order) {
    if (node.inputs.length === 0) continue;
    groups.push({ id: groups.length, kind: groupKind(node), nodes: [node], inputs: [...new Set(node.inputs)], outputs: [node] });
  }
  const bufferOf = new Map<AnyTensor, number>();
  const bufferBytes: number[] = [];
  for (const node of order) {
    bufferOf.set(node, bufferBytes.length);
    bufferBytes.push(4 * numel(bindShape(node.shape, sizes, node.op)));
  }
  const total = bufferBytes.reduce((a, b) => a + b, 0);
  const buffers: BufferPlan = { bufferOf, bufferBytes, peakBytes: total, naiveBytes: total };
  return { program, sizes, groups, buffers };
}
