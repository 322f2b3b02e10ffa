import { GraphError, type AnyTensor, type Sizes } from "@gradfold/graph";
import { topoSort, withoutSites } from "@gradfold/graph/internal";
import { optimize, pipeline, storageRoot, type ExecutionPlan, type Phase, type Program } from "@gradfold/optimize";
import { arenaOf, type ArenaPlan } from "./host/arena.ts";
import { externalInputs, type Kernel } from "./lower/kernel.ts";
import { lowerPlan, storedNodes } from "./lower/lower.ts";
import { opClass } from "./lower/op-class.ts";
import { BoundShapes } from "./lower/shapes.ts";
import { checkSpec, type CompileOptions, type StepSpec } from "./spec.ts";

/** Everything backends need to write a step: kernels in order, the arena plan, the leaves by role. */
export interface PreparedStep {
  readonly program: Program;
  /** The optimizer's execution plan: the only place groups and buffers are decided. */
  readonly plan: ExecutionPlan;
  readonly shapes: BoundShapes;
  /** One kernel per plan group, same order, same ids. */
  readonly kernels: readonly Kernel[];
  readonly stored: ReadonlySet<AnyTensor>;
  readonly arena: ArenaPlan;
  readonly inputs: readonly AnyTensor[];
  readonly params: readonly AnyTensor[];
  /** Leaves with a fixed value: constants and sizes. */
  readonly constants: readonly AnyTensor[];
  /** Output name → the node whose buffer holds it. */
  readonly outputs: ReadonlyArray<readonly [string, AnyTensor]>;
  readonly updates: ReadonlyArray<readonly [AnyTensor, AnyTensor]>;
  /** A model's entries (model.ts); absent for a single step. */
  readonly entries?: readonly PreparedEntry[];
}

/** One entry of a model: what it is fed, what it returns, the kernels it runs (plan order) and its update copies. */
export interface PreparedEntry {
  readonly name: string;
  readonly inputs: readonly AnyTensor[];
  readonly outputs: ReadonlyArray<readonly [string, AnyTensor]>;
  readonly kernels: readonly number[];
  readonly copies: ReadonlyArray<readonly [AnyTensor, AnyTensor]>;
}

/** `optimize: false`: no rewrites and no fusion (one kernel per node), buffers still planned. */
const noRewrites = Object.fromEntries([...pipeline, "fuse"].map((p) => [p, false])) as Partial<Record<Phase, boolean>>;

/** Spec → the optimizer's execution plan → kernels and arena views (both read off the plan). */
export function prepareStep(spec: StepSpec, options: CompileOptions, what: string): PreparedStep {
  const given = checkSpec(spec, what);
  const sizes: Sizes = spec.sizes ?? {};
  const extra = options.optimize === false ? { phases: noRewrites } : typeof options.optimize === "object" ? options.optimize : {};
  // checkNumerics names the op that first made a non-finite value: every node is its own kernel.
  const phases = options.checkNumerics === true ? { ...extra.phases, fuse: false } : extra.phases;
  // Rewritten nodes are gradfold's, not lines of the user's code: no call sites for them.
  const plan = withoutSites(() => optimize(given, { ...extra, phases, sizes })).plan!;
  const program = plan.program;
  const shapes = new BoundShapes(sizes);
  const outputs = Object.entries(program.outputs);
  const updates = program.updates;

  const roots = [...outputs.map(([, t]) => t), ...updates.map(([, v]) => v)];
  const order = topoSort([...roots, ...spec.inputs, ...updates.map(([t]) => t)]);
  const leaves = order.filter((n) => opClass[n.op] === "leaf");
  const inputs = checkLeaves(leaves, spec.inputs, what);
  const params = leaves.filter((n) => n.op === "param");
  const constants = leaves.filter((n) => n.op === "constant" || n.op === "size");
  const kernels = lowerPlan(plan.groups, shapes);
  checkCoverage(kernels, order, what);
  const arena = arenaOf(plan, shapes);
  return { program, plan, shapes, kernels, stored: storedNodes(plan.groups), arena, inputs, params, constants, outputs, updates };
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
