import { formatShape, GraphError, initialValue, Tensor, type AnyTensor, type Sizes } from "@gradfold/graph";
import { leavesOf, substitute } from "@gradfold/graph/internal";
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
  spec = unifyParams(spec, what);
  const inputs: AnyTensor[] = [];
  const outputs: Record<string, AnyTensor> = Object.create(null);
  const updates: Array<readonly [AnyTensor, AnyTensor]> = [];
  const updatedBy = new Map<AnyTensor, string>();
  names.forEach((name, i) => {
    const entry = spec.entries[name];
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

function checkEntry(entry: EntrySpec, name: string, what: string): void {
  if (entry === null || typeof entry !== "object" || !Array.isArray(entry.inputs) || entry.outputs === null || typeof entry.outputs !== "object") {
    throw new GraphError(`${what}: entry ${JSON.stringify(name)} must be { inputs, outputs, updates? }`);
  }
}

const sameValues = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/**
 * Params of the same name in different entries are one param: the first entry's node
 * stands for the others. A model function built twice (training and inference, as nn's
 * `defineModel` does) makes two nodes per weight that share a name; they must agree on
 * shape and initial value, else it is an error naming both entries.
 */
export function unifyParams(spec: ModelSpec, what: string): ModelSpec {
  const first = new Map<string, { node: AnyTensor; entry: string }>();
  const replacements = new Map<string, Map<AnyTensor, AnyTensor>>();
  for (const [name, entry] of Object.entries(spec.entries)) {
    checkEntry(entry, name, what);
    const updates = Array.isArray(entry.updates) ? entry.updates : [];
    const roots = [...Object.values(entry.outputs), ...updates.flatMap((u) => (Array.isArray(u) ? u : []))].filter((t): t is AnyTensor => t instanceof Tensor);
    const replace = new Map<AnyTensor, AnyTensor>();
    for (const p of leavesOf(roots).params) {
      if (!p.is("param")) continue;
      const seen = first.get(p.params.name);
      if (seen === undefined) first.set(p.params.name, { node: p, entry: name });
      else if (seen.node !== p && seen.entry !== name) {
        // (Two nodes of one name within one entry stay an error of the step's own checks.)
        const label = `${what}: param ${JSON.stringify(p.params.name)} of entries ${JSON.stringify(seen.entry)} and ${JSON.stringify(name)}`;
        const other = seen.node as typeof p;
        if (formatShape(other.shape) !== formatShape(p.shape))
          throw new GraphError(`${label} has shapes ${formatShape(other.shape)} and ${formatShape(p.shape)}; one name is one param`);
        if (!sameValues(initialValue(other), initialValue(p))) throw new GraphError(`${label} has different initial values; one name is one param`);
        replace.set(p, other);
      }
    }
    if (replace.size > 0) replacements.set(name, replace);
  }
  if (replacements.size === 0) return spec;
  const entries: Record<string, EntrySpec> = Object.create(null);
  for (const [name, entry] of Object.entries(spec.entries)) {
    const replace = replacements.get(name);
    const values = [...Object.values(entry.outputs), ...(entry.updates ?? []).map((u) => (Array.isArray(u) ? u[1] : u))];
    if (replace === undefined || !values.every((v) => v instanceof Tensor)) {
      // (A malformed entry is left for checkSpec to name.)
      entries[name] = entry;
      continue;
    }
    const outputNames = Object.keys(entry.outputs);
    const updates = entry.updates ?? [];
    const rebuilt = substitute([...outputNames.map((n) => entry.outputs[n]), ...updates.map(([, v]) => v)], replace);
    entries[name] = {
      inputs: entry.inputs,
      outputs: Object.fromEntries(outputNames.map((n, i) => [n, rebuilt[i]])),
      updates: updates.map(([t], i) => [replace.get(t) ?? t, rebuilt[outputNames.length + i]] as const),
    };
  }
  return { ...spec, entries };
}
