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

/** What the adapter needs of one compiled step (codegen's EntryStep, a threaded one, or a stand-in). */
export type EntryStep = Pick<CompiledStep, "run" | "read" | "write" | "names"> & { close?(): void | Promise<void> };

/**
 * Compiles one step spec: default @gradfold/codegen's `compile`. Injectable so this
 * package stays browser-safe while Node callers pass a threaded compiler
 * (`@gradfold/train/node`) and tests a float64 reference. May return a Promise only
 * with `compileEntriesAsync` / `compileModelAsync`.
 */
export type StepCompiler = (spec: StepSpec, options: CompileOptions) => EntryStep | Promise<EntryStep>;

export interface EntriesOptions extends CompileOptions {
  /** Most steps specialised for other sizes kept at once (least recently used go first); default 8. */
  readonly cacheLimit?: number;
  /** Compiles each step; default @gradfold/codegen's `compile`. */
  readonly compileStep?: StepCompiler;
}

/** The CompiledModel plus what the interim adapter can report about its specialised steps. */
export interface EntriesModel extends CompiledModel {
  /** Specialised steps held now, and the most it keeps. */
  cache(): { size: number; limit: number };
  /**
   * Compiles the step for `entry` at `sizes` ahead of use with the (possibly async)
   * compiler, so that a later `run` at those sizes uses it. With an async compiler,
   * sizes not prepared compile on first use with codegen's single-threaded `compile`
   * (the threaded step's results are bit-identical to it).
   */
  prepare(entry: string, sizes: Sizes): Promise<void>;
  /** Releases what the steps hold (a threaded compiler's worker threads). */
  close(): Promise<void>;
}

const info = (t: AnyTensor): TensorInfo => {
  if (!t.is("input")) throw new GraphError(`compileEntries: expected an input node, got ${t.op}`);
  return { name: t.params.name, shape: [...t.shape], dtype: t.dtype };
};

/** Compiles every entry at `sizes` now; other sizes compile on first use. */
export function compileEntries(spec: EntriesSpec, options: EntriesOptions = {}): EntriesModel {
  const compileStep = options.compileStep ?? compile;
  const now = (s: StepSpec, o: CompileOptions): EntryStep => {
    const step = compileStep(s, o);
    if (step instanceof Promise)
      throw new GraphError("compileEntries: options.compileStep returned a Promise; use compileEntriesAsync (or compileModelAsync) for an " + "async compiler");
    return step;
  };
  const specs = entrySpecs(spec, options);
  const pinned = new Map(specs.names.map((n) => [n, now(specs.stepSpec(n, specs.baseSizes), specs.compileOptions)]));
  return assemble(specs, pinned, now, async (s, o) => now(s, o));
}

/**
 * `compileEntries` for an async compiler (codegen's `compileThreaded`): the entries at
 * `sizes` and the sizes given to `prepare` compile with it; other sizes compile on first
 * use with codegen's `compile`, whose results are bit-identical.
 */
export async function compileEntriesAsync(spec: EntriesSpec, options: EntriesOptions = {}): Promise<EntriesModel> {
  const compileStep = options.compileStep ?? compile;
  const specs = entrySpecs(spec, options);
  const steps = await Promise.all(specs.names.map((n) => compileStep(specs.stepSpec(n, specs.baseSizes), specs.compileOptions)));
  const now = (s: StepSpec, o: CompileOptions): EntryStep => compile(s, o);
  return assemble(specs, new Map(specs.names.map((n, i) => [n, steps[i]])), now, async (s, o) => compileStep(s, o));
}

/** The step specs of every entry, checked, and what `assemble` needs besides the compiled steps. */
function entrySpecs(spec: EntriesSpec, options: EntriesOptions) {
  const { cacheLimit = 8, compileStep: _injected, ...compileOptions } = options;
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

  const stepSpec = (entry: string, sizes: Sizes): StepSpec => ({ ...stepSpecs.get(entry)!, sizes });
  return { names: entryNames, baseSizes, stepSpecs, entries, randomOf, stepSpec, cacheLimit, compileOptions: compileOptions as CompileOptions };
}

function assemble(
  specs: ReturnType<typeof entrySpecs>,
  pinned: Map<string, EntryStep>,
  compileNow: (spec: StepSpec, options: CompileOptions) => EntryStep,
  prepareStep: (spec: StepSpec, options: CompileOptions) => Promise<EntryStep>,
): EntriesModel {
  const { names: entryNames, baseSizes, stepSpecs, entries, randomOf, cacheLimit, compileOptions } = specs;
  const build = (entry: string, sizes: Sizes): EntryStep => compileNow(specs.stepSpec(entry, sizes), compileOptions);
  const infos: Record<string, EntryInfo> = Object.create(null);
  for (const [name, step] of pinned) {
    const { outputs, updates = [] } = stepSpecs.get(name)!;
    const shapes = new Map(leavesOf([...Object.values(outputs), ...updates.flat()]).params.flatMap((p) => (p.is("param") ? [[p.params.name, p.shape] as const] : [])));
    infos[name] = { ...entries[name], params: step.names().map((n) => ({ name: n, shape: [...(shapes.get(n) ?? [step.read(n).length])], dtype: "float32" })) };
  }
  const specialised = new Map<string, EntryStep>();

  // Where each name's newest value lives: a step that updated or was written it last, or
  // `store` (null). A step's copy of a name is "up to date" while nothing changed it
  // elsewhere; before a step runs it receives only the names it is behind on, so
  // train → predict copies the weights once and predict → train copies nothing.
  const store = new Map<string, Float32Array>();
  for (const step of pinned.values()) for (const n of step.names()) if (!store.has(n)) store.set(n, step.read(n));
  const owner = new Map<string, EntryStep | null>([...store.keys()].map((n) => [n, null]));
  const upToDate = new Map<EntryStep, Set<string>>();
  const updatedBy = new Map(entryNames.map((e) => [e, (stepSpecs.get(e)!.updates ?? []).map(([t]) => (t.is("param") ? t.params.name : ""))]));

  const freshIn = (step: EntryStep): Set<string> => {
    const fresh = upToDate.get(step) ?? new Set<string>();
    upToDate.set(step, fresh);
    return fresh;
  };
  const newest = (name: string): Float32Array => {
    const from = owner.get(name);
    return from ? from.read(name) : store.get(name)!;
  };
  const bringUp = (step: EntryStep) => {
    const fresh = freshIn(step);
    for (const n of step.names()) {
      if (fresh.has(n)) continue;
      step.write(n, newest(n));
      fresh.add(n);
    }
  };
  const changed = (step: EntryStep, names: readonly string[]) => {
    for (const n of names) {
      owner.set(n, step);
      for (const [other, fresh] of upToDate) if (other !== step) fresh.delete(n);
      freshIn(step).add(n);
    }
  };
  const forget = (step: EntryStep) => {
    for (const [n, from] of owner) {
      if (from !== step) continue;
      store.set(n, step.read(n));
      owner.set(n, null);
    }
    upToDate.delete(step);
  };

  const keyOf = (entry: string, sizes: Sizes | undefined): string | null => {
    const merged: Sizes = { ...baseSizes, ...sizes };
    for (const [dim, size] of Object.entries(sizes ?? {})) {
      if (!Number.isInteger(size) || size < 1) throw new RangeError(`run(${JSON.stringify(entry)}): size of ${JSON.stringify(dim)} must be a positive integer, got ${size}`);
    }
    if (Object.keys(merged).every((d) => merged[d] === baseSizes[d])) return null;
    return `${entry}\u0000${JSON.stringify(
      Object.keys(merged)
        .sort()
        .map((d) => [d, merged[d]]),
    )}`;
  };
  const remember = (key: string, made: EntryStep) => {
    specialised.set(key, made);
    while (specialised.size > cacheLimit) {
      const [oldest, step] = specialised.entries().next().value!;
      forget(step);
      specialised.delete(oldest);
      void step.close?.();
    }
  };
  const stepFor = (entry: string, sizes: Sizes | undefined): EntryStep => {
    const key = keyOf(entry, sizes);
    if (key === null) return pinned.get(entry)!;
    const hit = specialised.get(key);
    if (hit) {
      specialised.delete(key); // re-insert: Map order is the recency order
      specialised.set(key, hit);
      return hit;
    }
    const made = build(entry, { ...baseSizes, ...sizes });
    remember(key, made);
    return made;
  };

  const known = () => [...owner.keys()];
  const unknown = (what: string, name: string) => new GraphError(`${what}: no param or state slot named ${JSON.stringify(name)}; the model has ${JSON.stringify(known())}`);

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
    async prepare(entry: string, sizes: Sizes): Promise<void> {
      entryOf(this, entry, "prepare");
      const key = keyOf(entry, sizes);
      if (key === null || specialised.has(key)) return;
      const made = await prepareStep(specs.stepSpec(entry, { ...baseSizes, ...sizes }), compileOptions);
      if (specialised.has(key)) return void made.close?.(); // prepared twice at once: keep the first
      remember(key, made);
    },
    async close(): Promise<void> {
      await Promise.all([...pinned.values(), ...specialised.values()].map((s) => s.close?.()));
    },
  };
}
