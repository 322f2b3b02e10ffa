/**
 * INTERIM: a multi-entry CompiledModel built from single-spec `compile()` steps.
 *
 * DESIGN.md plans `compile({ entries, sizes })` in @gradfold/codegen: several entries over
 * one arena. Until it lands, this file gives the same `CompiledModel` from one compiled step
 * per (entry, sizes), each with its own copy of the params, kept in sync by name here
 * so the user never syncs: a step that updates a name holds its newest value, and a
 * step about to run first receives the names it is behind on. When codegen has entries, `compileEntries`
 * becomes a call to it and this file is deleted; nothing else in the package changes.
 */
import { compile, type CompileOptions, type CompiledStep, type StepSpec } from "@gradfold/codegen";
import { GraphError, type AnyTensor, type Sizes } from "@gradfold/graph";
import { leavesOf } from "@gradfold/graph/internal";
import type { RandomInput } from "@gradfold/nn";
import { entryOf, type EntryInfo, type Feeds, type CompiledModel, type Results, type TensorInfo } from "./compiled-model.ts";

/** One entry: a step spec without sizes, plus the random inputs fed by `randomFeeds`. */
export interface EntrySpec {
  readonly inputs: readonly AnyTensor[];
  readonly outputs: Readonly<Record<string, AnyTensor>>;
  readonly updates?: StepSpec["updates"];
  /** Inputs whose values a generator makes each step (nn's dropout masks); added to `inputs` if missing. */
  readonly random?: readonly RandomInput[];
}

export interface EntriesSpec {
  readonly entries: Readonly<Record<string, EntrySpec>>;
  readonly sizes?: Sizes;
}

export interface EntriesOptions extends CompileOptions {
  /** Most steps specialised for other sizes kept at once (least recently used go first); default 8. */
  readonly cacheLimit?: number;
}

/** The CompiledModel plus what the interim adapter can report about its specialised steps. */
export interface EntriesModel extends CompiledModel {
  /** Specialised steps held now, and the most it keeps. */
  cache(): { size: number; limit: number };
}

const info = (t: AnyTensor): TensorInfo => {
  if (!t.is("input")) throw new GraphError(`compileEntries: expected an input node, got ${t.op}`);
  return { name: t.params.name, shape: [...t.shape], dtype: t.dtype };
};

/** Compiles every entry at `sizes` now; other sizes compile on first use. */
export function compileEntries(spec: EntriesSpec, options: EntriesOptions = {}): EntriesModel {
  const { cacheLimit = 8, ...compileOptions } = options;
  if (!Number.isInteger(cacheLimit) || cacheLimit < 0) throw new RangeError(`compileEntries: cacheLimit must be a non-negative integer, got ${cacheLimit}`);
  const entryNames = Object.keys(spec?.entries ?? {});
  if (entryNames.length === 0) throw new GraphError("compileEntries: expected at least one entry in spec.entries");
  const baseSizes: Sizes = { ...spec.sizes };
  const stepSpecs = new Map<string, StepSpec>();
  // Null-prototype records: entry names are data ("__proto__" is just a name).
  const entries: Record<string, Omit<EntryInfo, "params">> = Object.create(null);
  for (const name of entryNames) {
    const e = spec.entries[name];
    const random = [...(e.random ?? [])];
    const inputs = [...e.inputs, ...random.map((r) => r.input).filter((r) => !e.inputs.includes(r))];
    stepSpecs.set(name, { inputs, outputs: e.outputs, updates: e.updates });
    entries[name] = {
      inputs: inputs.map(info),
      outputs: Object.entries(e.outputs).map(([n, t]) => ({ name: n, shape: [...t.shape], dtype: t.dtype })),
      sizes: baseSizes,
      random: random.map((r) => info(r.input).name),
    };
  }
  const randomOf = new Map(entryNames.map((n) => [n, spec.entries[n].random ?? []]));

  const build = (entry: string, sizes: Sizes): CompiledStep => compile({ ...stepSpecs.get(entry)!, sizes }, compileOptions);
  const pinned = new Map(entryNames.map((n) => [n, build(n, baseSizes)]));
  const infos: Record<string, EntryInfo> = Object.create(null);
  for (const [name, step] of pinned) {
    const { outputs, updates = [] } = stepSpecs.get(name)!;
    const shapes = new Map(leavesOf([...Object.values(outputs), ...updates.flat()]).params.flatMap((p) => (p.is("param") ? [[p.params.name, p.shape] as const] : [])));
    infos[name] = { ...entries[name], params: step.names().map((n) => ({ name: n, shape: [...(shapes.get(n) ?? [step.read(n).length])], dtype: "float32" })) };
  }
  const specialised = new Map<string, CompiledStep>();

  // Where each name's newest value lives: a step that updated or was written it last, or
  // `store` (null). A step's copy of a name is "up to date" while nothing changed it
  // elsewhere; before a step runs it receives only the names it is behind on, so
  // train → predict copies the weights once and predict → train copies nothing.
  const store = new Map<string, Float32Array>();
  for (const step of pinned.values()) for (const n of step.names()) if (!store.has(n)) store.set(n, step.read(n));
  const owner = new Map<string, CompiledStep | null>([...store.keys()].map((n) => [n, null]));
  const upToDate = new Map<CompiledStep, Set<string>>();
  const updatedBy = new Map(entryNames.map((e) => [e, (stepSpecs.get(e)!.updates ?? []).map(([t]) => (t.is("param") ? t.params.name : ""))]));

  const freshIn = (step: CompiledStep): Set<string> => {
    const fresh = upToDate.get(step) ?? new Set<string>();
    upToDate.set(step, fresh);
    return fresh;
  };
  const newest = (name: string): Float32Array => {
    const from = owner.get(name);
    return from ? from.read(name) : store.get(name)!;
  };
  const bringUp = (step: CompiledStep) => {
    const fresh = freshIn(step);
    for (const n of step.names()) {
      if (fresh.has(n)) continue;
      step.write(n, newest(n));
      fresh.add(n);
    }
  };
  const changed = (step: CompiledStep, names: readonly string[]) => {
    for (const n of names) {
      owner.set(n, step);
      for (const [other, fresh] of upToDate) if (other !== step) fresh.delete(n);
      freshIn(step).add(n);
    }
  };
  const forget = (step: CompiledStep) => {
    for (const [n, from] of owner) {
      if (from !== step) continue;
      store.set(n, step.read(n));
      owner.set(n, null);
    }
    upToDate.delete(step);
  };

  const stepFor = (entry: string, sizes: Sizes | undefined): CompiledStep => {
    const merged: Sizes = { ...baseSizes, ...sizes };
    for (const [dim, size] of Object.entries(sizes ?? {})) {
      if (!Number.isInteger(size) || size < 1) throw new RangeError(`run(${JSON.stringify(entry)}): size of ${JSON.stringify(dim)} must be a positive integer, got ${size}`);
    }
    if (Object.keys(merged).every((d) => merged[d] === baseSizes[d])) return pinned.get(entry)!;
    const key = `${entry}\u0000${JSON.stringify(Object.keys(merged).sort().map((d) => [d, merged[d]]))}`;
    const hit = specialised.get(key);
    if (hit) {
      specialised.delete(key); // re-insert: Map order is the recency order
      specialised.set(key, hit);
      return hit;
    }
    const made = build(entry, merged);
    specialised.set(key, made);
    while (specialised.size > cacheLimit) {
      const [oldest, step] = specialised.entries().next().value!;
      forget(step);
      specialised.delete(oldest);
    }
    return made;
  };

  const known = () => [...owner.keys()];
  const unknown = (what: string, name: string) =>
    new GraphError(`${what}: no param or state slot named ${JSON.stringify(name)}; the model has ${JSON.stringify(known())}`);

  return {
    entries: infos,
    run(entry: string, feeds: Feeds, sizes?: Sizes): Results {
      entryOf(this, entry, "run");
      const step = stepFor(entry, sizes);
      bringUp(step);
      const results = step.run(feeds); // checks feeds first: on error nothing has changed
      changed(step, updatedBy.get(entry)!);
      return results;
    },
    read(name: string): Float32Array {
      if (!owner.has(name)) throw unknown("read", name);
      const from = owner.get(name);
      return from ? from.read(name) : store.get(name)!.slice();
    },
    write(name: string, data: Float32Array | Float64Array | readonly number[]): void {
      if (!owner.has(name)) throw unknown("write", name);
      // Written through a step that has the name, so codegen's own checks apply (a bad call changes nothing).
      const into = owner.get(name) ?? [...pinned.values()].find((s) => s.names().includes(name))!;
      into.write(name, data);
      changed(into, [name]);
    },
    names: known,
    randomFeeds(entry: string, step: number, sizes: Sizes): Record<string, Float32Array> {
      entryOf(this, entry, "randomFeeds");
      const feeds: Record<string, Float32Array> = {};
      for (const r of randomOf.get(entry)!) feeds[info(r.input).name] = r.generate(step, { ...baseSizes, ...sizes });
      return feeds;
    },
    cache: () => ({ size: specialised.size, limit: cacheLimit }),
  };
}
