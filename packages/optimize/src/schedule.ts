import { stopGradient, type AnyTensor, type Sizes } from "@gradfold/graph";
import { defOf, hasTrait, topoSort } from "@gradfold/graph/internal";
import { naivePlan } from "./plan-memory.ts";
import type { ExecutionPlan, KernelGroup, Program } from "./program.ts";
import { isLeaf, isView, storageRoot } from "./storage.ts";

/** Every node a program needs: its outputs and its update values. */
export function programRoots(program: Program): AnyTensor[] {
  return [...Object.values(program.outputs), ...program.updates.map(([, value]) => value)];
}

export function groupKind(node: AnyTensor): KernelGroup["kind"] {
  const def = defOf(node);
  if (hasTrait(def, "contraction")) return "matmul";
  if (node.is("conv2d")) return "conv";
  if (hasTrait(def, "elementwise")) return "elementwise";
  if (hasTrait(def, "reduction")) return "reduction";
  if (hasTrait(def, "layout")) return "layout";
  return "opaque";
}

/** One line per kernel, the same in explain() and in a compiled step's kernel list. */
export function describeGroup(g: KernelGroup): string {
  return `#${g.id} ${g.kind}: ${g.nodes.map((n) => n.op).join(" → ")} (${g.inputs.length} in, ${g.outputs.length} out)`;
}

/**
 * The program a plan runs: an output that is a leaf (or a view of one) becomes a copy,
 * and so does an update whose new value is a param, so that no result of a step
 * aliases state that the step's updates overwrite.
 */
export function withStoredRoots(program: Program): Program {
  const copy = (t: AnyTensor, when: (root: AnyTensor) => boolean) => (when(storageRoot(t)) ? stopGradient(t) : t);
  const outputs = Object.fromEntries(Object.entries(program.outputs).map(([name, t]) => [name, copy(t, isLeaf)]));
  const updates = program.updates.map(([target, value]) => [target, copy(value, (r) => r.is("param"))] as const);
  return { ...program, outputs, updates };
}

/** One kernel per node that computes something (leaves and views compute nothing). */
export function unfusedGroups(program: Program): KernelGroup[] {
  const groups: KernelGroup[] = [];
  for (const node of topoSort(programRoots(program))) {
    if (isLeaf(node) || isView(node)) continue;
    groups.push({ id: groups.length, kind: groupKind(node), nodes: [node], inputs: [...new Set(node.inputs)], outputs: [node] });
  }
  return groups;
}

/**
 * The baseline plan: one kernel per node, every value in its own buffer. Fusion and
 * memory planning replace this; it stays as the reference the optimized plans are
 * checked against.
 */
export function unfusedPlan(program: Program, sizes: Sizes): ExecutionPlan {
  const stored = withStoredRoots(program);
  const groups = unfusedGroups(stored);
  return { program: stored, sizes, groups, buffers: naivePlan(stored, groups, sizes) };
}
