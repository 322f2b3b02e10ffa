import { GraphError, stopGradient, topoSort, withoutSites, type AnyTensor, type Sizes } from "@gradfold/graph";
import { optimize, unfusedSchedule, type Program, type Schedule } from "@gradfold/optimize";
import { externalInputs, type Kernel } from "./lower/kernel.ts";
import { lowerGroups, materialized } from "./lower/lower.ts";
import { opClass } from "./lower/op-class.ts";
import { planArena, storageRoot, type ArenaPlan } from "./lower/plan.ts";
import { BoundShapes } from "./lower/shapes.ts";
import { checkSpec, type CompileOptions, type StepSpec } from "./spec.ts";

/** Everything backends need to write a step: kernels in order, the arena plan, the leaves by role. */
export interface PreparedStep {
  readonly program: Program;
  readonly schedule: Schedule;
  readonly shapes: BoundShapes;
  readonly kernels: readonly Kernel[];
  readonly stored: ReadonlySet<AnyTensor>;
  readonly plan: ArenaPlan;
  readonly inputs: readonly AnyTensor[];
  readonly params: readonly AnyTensor[];
  /** Leaves with a fixed value: constants and sizes. */
  readonly constants: readonly AnyTensor[];
  /** Output name → the node whose buffer holds it (a copy when the output is a leaf). */
  readonly outputs: ReadonlyArray<readonly [string, AnyTensor]>;
  readonly updates: ReadonlyArray<readonly [AnyTensor, AnyTensor]>;
}

/** Spec → optimized program → schedule → kernels → arena plan. */
export function prepareStep(spec: StepSpec, options: CompileOptions, what: string): PreparedStep {
  const given = checkSpec(spec, what);
  const sizes: Sizes = spec.sizes ?? {};
  let program: Program;
  let schedule: Schedule;
  if (options.optimize === false) {
    program = given;
    schedule = unfusedSchedule(given, sizes);
  } else {
    const extra = typeof options.optimize === "object" ? options.optimize : {};
    // Rewritten nodes are gradfold's, not lines of the user's code: no call sites for them.
    const result = withoutSites(() => optimize(given, { ...extra, sizes }));
    program = result.program;
    schedule = result.schedule ?? unfusedSchedule(program, sizes);
  }
  // checkNumerics names the op that first made a non-finite value: every node is its own kernel.
  if (options.checkNumerics === true) schedule = unfusedSchedule(program, sizes);
  const shapes = new BoundShapes(sizes);

  // Leaves leaving the step (and update values that are params) are copied first
  // into buffers of their own, so no output aliases state and every update reads the old state.
  const front: AnyTensor[] = [];
  const copyOf = (t: AnyTensor, when: (root: AnyTensor) => boolean) => {
    if (!when(storageRoot(t))) return t;
    const copy = stopGradient(t);
    if (!front.includes(copy)) front.push(copy);
    return copy;
  };
  const isLeaf = (root: AnyTensor) => opClass[root.op] === "leaf";
  const outputs = Object.keys(program.outputs).map((name) => [name, copyOf(program.outputs[name], isLeaf)] as const);
  const updates = program.updates.map(([target, value]) => [target, copyOf(value, (r) => r.op === "param")] as const);

  const roots = new Set<AnyTensor>([...outputs.map(([, t]) => t), ...updates.map(([, v]) => v)]);
  const order = topoSort([...roots, ...spec.inputs, ...updates.map(([t]) => t)]);
  const consumers = new Map<AnyTensor, AnyTensor[]>();
  for (const node of order) {
    for (const x of node.inputs) {
      const list = consumers.get(x);
      if (list) list.push(node);
      else consumers.set(x, [node]);
    }
  }

  const leaves = order.filter((n) => opClass[n.op] === "leaf");
  const inputs = checkLeaves(leaves, spec.inputs, what);
  const params = leaves.filter((n) => n.op === "param");
  const constants = leaves.filter((n) => n.op === "constant" || n.op === "size");
  const kernels = lowerGroups(schedule.groups, front, shapes, consumers, roots);
  checkCoverage(kernels, order, what);
  const stored = materialized(kernels, consumers, roots);
  const plan = planArena(kernels, [...params, ...constants, ...inputs], stored, [...outputs.map(([, t]) => t)], updates, shapes);
  return { program, schedule, shapes, kernels, stored, plan, inputs, params, constants, outputs, updates };
}

/** Leaf names are unique; every input the graph reads is listed in the spec. Returns inputs in spec order. */
function checkLeaves(leaves: readonly AnyTensor[], specInputs: readonly AnyTensor[], what: string): AnyTensor[] {
  const byName = new Map<string, AnyTensor>();
  for (const leaf of [...leaves, ...specInputs]) {
    if (!leaf.is("input") && !leaf.is("param")) continue;
    const name = leaf.params.name;
    const other = byName.get(name);
    if (other && other !== leaf) throw new GraphError(`${what}: two leaves are named ${JSON.stringify(name)} (${other}, ${leaf}); names must be unique`);
    byName.set(name, leaf);
  }
  const listed = new Set(specInputs);
  const missing = leaves.filter((l) => l.is("input") && !listed.has(l));
  if (missing.length > 0) {
    throw new GraphError(`${what}: the step reads input ${missing.map((m) => JSON.stringify((m.params as { name: string }).name)).join(", ")} which spec.inputs does not list`);
  }
  return [...new Set(specInputs)];
}

/**
 * Every non-leaf, non-alias node the step needs is computed by a kernel, and every
 * kernel reads only values computed before it: a schedule out of order would
 * otherwise read stale buffers silently.
 */
function checkCoverage(kernels: readonly Kernel[], order: readonly AnyTensor[], what: string): void {
  const computed = new Set<AnyTensor>();
  for (const k of kernels) {
    for (const x of externalInputs(k)) {
      const root = storageRoot(x);
      if (opClass[root.op] !== "leaf" && !computed.has(root)) {
        throw new GraphError(`${what}: kernel ${k.id} (${k.nodes.map(String).join(", ")}) reads ${root} before any kernel computes it`);
      }
    }
    for (const n of k.nodes) computed.add(n);
  }
  const missing = order.filter((n) => !computed.has(n) && opClass[n.op] !== "leaf" && opClass[n.op] !== "alias");
  if (missing.length > 0) throw new GraphError(`${what}: the schedule does not compute ${missing.slice(0, 5).join(", ")}`);
}
