import { GraphError, type AnyTensor, type Sizes } from "@gradfold/graph";
import { storageRoot } from "@gradfold/optimize";
import { prepareStep, type PreparedEntry, type PreparedStep } from "./prepare.ts";
import type { CompileOptions, StepSpec } from "./spec.ts";

/** One entry of a model: a step over the model's shared params (and optimizer state). */
export type EntrySpec = Omit<StepSpec, "sizes">;

/** Several entries (e.g. `train` with updates, `predict` without) over one set of params and one arena. */
export interface ModelSpec {
  readonly entries: Readonly<Record<string, EntrySpec>>;
  readonly sizes?: Sizes;
}

export const isModelSpec = (spec: StepSpec | ModelSpec): spec is ModelSpec => typeof spec === "object" && spec !== null && "entries" in spec;

/** Entry outputs are planned under one name each: the entry's index, then the output's own name. */
const key = (entry: number, name: string) => `${entry}:${name}`;

/**
 * One plan over the union of the entries (their outputs and updates), then, per entry,
 * the subset of its kernels that computes the entry's outputs and updates, in plan
 * order, and its update copies. Buffers are the plan's: running a subset of the plan's
 * kernels in order never reads a buffer another value holds at that point.
 */
export function prepareModel(spec: ModelSpec, options: CompileOptions, what: string): PreparedStep {
  if (spec === null || typeof spec !== "object" || spec.entries === null || typeof spec.entries !== "object") {
    throw new GraphError(`${what}: expected a model { entries: { name: { inputs, outputs, updates? } }, sizes? }`);
  }
  const names = Object.keys(spec.entries);
  if (names.length === 0) throw new GraphError(`${what}: a model needs at least one entry`);
  const inputs: AnyTensor[] = [];
  const outputs: Record<string, AnyTensor> = Object.create(null);
  const updates: Array<readonly [AnyTensor, AnyTensor]> = [];
  const updatedBy = new Map<AnyTensor, string>();
  names.forEach((name, i) => {
    const entry = spec.entries[name];
    if (entry === null || typeof entry !== "object" || !Array.isArray(entry.inputs) || entry.outputs === null || typeof entry.outputs !== "object") {
      throw new GraphError(`${what}: entry ${JSON.stringify(name)} must be { inputs, outputs, updates? }`);
    }
    for (const x of entry.inputs) if (!inputs.includes(x)) inputs.push(x);
    for (const [out, t] of Object.entries(entry.outputs)) outputs[key(i, out)] = t;
    for (const [target, value] of entry.updates ?? []) {
      const other = updatedBy.get(target);
      const label = target.is("param") ? JSON.stringify(target.params.name) : String(target);
      if (other !== undefined)
        throw new GraphError(`${what}: param ${label} is updated by entries ${JSON.stringify(other)} and ${JSON.stringify(name)}; one entry may update a param`);
      updatedBy.set(target, name);
      updates.push([target, value]);
    }
  });
  const step = prepareStep({ inputs, outputs, updates, sizes: spec.sizes }, options, what);
  const entries = names.map((name, i) => entryOf(step, spec.entries[name], name, i, what));
  return { ...step, entries };
}

function entryOf(step: PreparedStep, spec: EntrySpec, name: string, index: number, what: string): PreparedEntry {
  const prefix = `${index}:`;
  const outputs = step.outputs.filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t] as const);
  const targets = new Set((spec.updates ?? []).map(([t]) => t));
  const updates = step.updates.filter(([t]) => targets.has(t));
  // The kernels the entry needs: producers of its outputs and update values, and theirs.
  const producer = new Map<AnyTensor, number>();
  step.kernels.forEach((k, i) => {
    k.nodes.forEach((n) => {
      producer.set(n, i);
    });
  });
  const needed = new Set<number>();
  const stack = [...outputs.map(([, t]) => t), ...updates.map(([, v]) => v)];
  while (stack.length > 0) {
    const k = producer.get(storageRoot(stack.pop()!));
    if (k === undefined || needed.has(k)) continue;
    needed.add(k);
    for (const n of step.kernels[k].nodes) stack.push(...n.inputs);
  }
  // A kernel this entry runs must not write another entry's update into its param.
  const foreign = step.updates.filter(([t, v]) => !targets.has(t) && step.arena.inPlace.has(v) && needed.has(producer.get(v)!));
  if (foreign.length > 0) {
    throw new GraphError(`${what}: entry ${JSON.stringify(name)} would run the kernel that updates ${foreign.map(([t]) => String(t)).join(", ")} of another entry`);
  }
  const kernels = [...needed].sort((a, b) => a - b);
  const copies = step.arena.copies.filter(([t]) => targets.has(t));
  const inputs = step.inputs.filter((x) => spec.inputs.includes(x));
  return { name, inputs, outputs, kernels, copies };
}
