import { formatShape, GraphError, type AnyTensor, type Dim, type Sizes } from "@gradfold/graph";
import type { StepFeeds, StepResults } from "./compile.ts";
import type { ModelSpec } from "./model.ts";

/** A model compiled at one set of sizes: what compile() (or compileThreaded) builds before per-call sizes are added. */
export interface ModelAtSizes {
  run(entry: string, feeds: StepFeeds): StepResults;
  read(name: string): Float32Array;
  write(name: string, data: Float32Array | Float64Array | readonly number[]): void;
  names(): string[];
  close?(): Promise<void>;
}

/** The specializations a model holds now (least recently used first), and how often run() found one. */
export interface Specializations {
  readonly size: number;
  readonly limit: number;
  readonly hits: number;
  readonly misses: number;
  readonly sizes: readonly Sizes[];
}

/** What per-call sizes add to a model. */
export interface ModelSizes {
  /**
   * Runs one entry: checks its feeds, computes its outputs, applies its updates. With
   * `sizes` other than the compiled ones (or, when the model has one symbolic dim, feeds
   * of another row count) it runs the model specialized for those sizes, compiled on
   * first use and cached, over the same params: results are those of a model compiled
   * for those sizes directly.
   */
  run(entry: string, feeds: StepFeeds, sizes?: Sizes): StepResults;
  /** The sizes the model was compiled for. */
  sizes(): Sizes;
  /** The cache of specializations: how many are held, the most kept (`options.specializations`, default 8), hits and misses. */
  specializations(): Specializations;
  /** Compiles the specialization for `sizes` ahead of use (with compileThreaded: threaded). */
  prepare(sizes: Sizes): Promise<void>;
  /** Releases worker threads (compileThreaded's model and its prepared specializations); nothing to do for compile()'s. */
  close(): Promise<void>;
}

export interface Specializer {
  /** Compiles the model at other sizes now, on a run() at sizes not cached. */
  readonly now: (sizes: Sizes) => ModelAtSizes;
  /** Compiles it ahead of use, for prepare(); default `now`. */
  readonly ahead?: (sizes: Sizes) => Promise<ModelAtSizes>;
}

/** options.specializations, checked: the most specializations a model keeps (default 8). */
export function specializationLimit(options: { readonly specializations?: number }, what: string): number {
  const limit = options.specializations ?? 8;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`${what}: options.specializations must be a non-negative integer, got ${limit}`);
  return limit;
}

interface Specialized {
  readonly sizes: Sizes;
  readonly model: ModelAtSizes;
  /** The version of each name it holds; it is behind where the model's version is newer. */
  readonly synced: Map<string, number>;
}

interface InputInfo {
  readonly name: string;
  readonly shape: readonly Dim[];
}

const numel = (shape: readonly Dim[], sizes: Sizes): number => shape.reduce<number>((n, d) => n * (typeof d === "number" ? d : sizes[d]), 1);
/** `sizes` with its dims in sorted order: one text per set of sizes, whatever order they came in. */
export const sortedSizes = (sizes: Sizes): Sizes =>
  Object.fromEntries(
    Object.keys(sizes)
      .sort()
      .map((d) => [d, sizes[d]]),
  );
const keyOf = (sizes: Sizes): string => JSON.stringify(sortedSizes(sizes));
const described = (data: unknown): string =>
  ArrayBuffer.isView(data) ? `${data.constructor.name} of ${(data as Float32Array).length} values` : data === null ? "null" : typeof data;

/**
 * `base` with per-call sizes. The base model holds the params: a specialization
 * receives the names it is behind on before it runs (a version per name says which),
 * and the names its entry updated are copied back right after, so the base entries and
 * read() always see the newest values and an evicted specialization loses nothing.
 */
export function withSizes<M extends ModelAtSizes>(base: M, spec: ModelSpec, limit: number, specializer: Specializer): Omit<M, keyof ModelSizes> & ModelSizes {
  const compiled: Sizes = { ...spec.sizes };
  const entryNames = Object.keys(spec.entries);
  const inputs = new Map<string, InputInfo[]>();
  const updated = new Map<string, string[]>();
  for (const name of entryNames) {
    const entry = spec.entries[name];
    inputs.set(
      name,
      entry.inputs.map((x) => ({ name: (x.params as { name: string }).name, shape: x.shape })),
    );
    updated.set(
      name,
      (entry.updates ?? []).map(([t]: readonly [AnyTensor, AnyTensor]) => (t.params as { name: string }).name),
    );
  }
  // Symbolic dims the feeds have: with exactly one, a feed's row count says its size.
  const fedDims = [...new Set([...inputs.values()].flat().flatMap((x) => x.shape.filter((d): d is string => typeof d === "string")))];
  const known = [...new Set([...Object.keys(compiled), ...fedDims])];

  const version = new Map<string, number>();
  let clock = 0;
  const cache = new Map<string, Specialized>();
  let hits = 0;
  let misses = 0;

  const checkEntry = (entry: string) => {
    if (typeof entry !== "string" || !inputs.has(entry)) {
      throw new Error(`run: unknown entry ${JSON.stringify(String(entry))}; the entries are ${entryNames.map((n) => JSON.stringify(n)).join(", ")}`);
    }
  };
  /** The full sizes for `given`, or null when they are the compiled ones. */
  const resolve = (given: Sizes, what: string): Sizes | null => {
    if (given === null || typeof given !== "object")
      throw new TypeError(`${what}: sizes must be an object like ${JSON.stringify(compiled)}, got ${given === null ? "null" : typeof given}`);
    for (const [dim, size] of Object.entries(given)) {
      if (!known.includes(dim))
        throw new GraphError(`${what}: unknown size ${JSON.stringify(dim)}; the model's symbolic dims are ${known.map((d) => JSON.stringify(d)).join(", ") || "none"}`);
      if (!Number.isInteger(size) || size < 1) throw new RangeError(`${what}: size of ${JSON.stringify(dim)} must be a positive integer, got ${size}`);
    }
    const merged: Sizes = { ...compiled, ...given };
    for (const dim of known) if (merged[dim] === undefined) throw new GraphError(`${what}: no size for ${JSON.stringify(dim)}; pass it in sizes`);
    return known.every((d) => merged[d] === compiled[d]) ? null : merged;
  };
  /** The size of the one symbolic dim, from the first feed that has it. */
  const inferred = (entry: string, feeds: StepFeeds): Sizes | null => {
    if (fedDims.length !== 1 || feeds === null || typeof feeds !== "object") return null;
    const dim = fedDims[0];
    for (const x of inputs.get(entry)!) {
      const data = Object.hasOwn(feeds, x.name) ? feeds[x.name] : undefined;
      if (!ArrayBuffer.isView(data) || x.shape.filter((d) => d === dim).length !== 1) continue;
      const row = numel(
        x.shape.filter((d) => d !== dim),
        {},
      );
      const rows = data.length / row;
      if (!Number.isInteger(rows) || rows < 1) {
        throw new RangeError(
          `run(${JSON.stringify(entry)}): input ${JSON.stringify(x.name)} has ${data.length} values, not a positive whole number of rows of ${row} (shape ${formatShape(x.shape)})`,
        );
      }
      return resolve({ [dim]: rows }, `run(${JSON.stringify(entry)})`);
    }
    return null;
  };
  /** The feeds agree with `sizes` (before a specialization is compiled, so a bad call changes nothing). */
  const checkFeeds = (entry: string, feeds: StepFeeds, sizes: Sizes) => {
    const what = `run(${JSON.stringify(entry)})`;
    if (feeds === null || typeof feeds !== "object") throw new TypeError(`${what}: expected an object of feeds keyed by input name, got ${described(feeds)}`);
    const own = inputs.get(entry)!;
    for (const x of own) {
      const data = Object.hasOwn(feeds, x.name) ? feeds[x.name] : undefined;
      if (data === undefined) throw new Error(`${what}: missing feed for input ${JSON.stringify(x.name)}`);
      const values = numel(x.shape, sizes);
      if (!ArrayBuffer.isView(data) || (data as Float32Array).length !== values) {
        throw new TypeError(
          `${what}: input ${JSON.stringify(x.name)}: sizes ${JSON.stringify(sizes)} make its shape ${formatShape(x.shape.map((d) => (typeof d === "number" ? d : sizes[d])))} (${values} values), got ${described(data)}`,
        );
      }
    }
    for (const key of Object.keys(feeds)) {
      if (!own.some((x) => x.name === key)) throw new Error(`${what}: unknown feed ${JSON.stringify(key)}; the inputs are ${own.map((x) => JSON.stringify(x.name)).join(", ")}`);
    }
  };
  const remember = (sizes: Sizes, model: ModelAtSizes): Specialized => {
    const made: Specialized = { sizes, model, synced: new Map() };
    cache.set(keyOf(sizes), made);
    while (cache.size > limit) {
      const [oldest, evicted] = cache.entries().next().value!;
      cache.delete(oldest);
      void evicted.model.close?.();
    }
    return made;
  };
  const specializedFor = (sizes: Sizes): Specialized => {
    const key = keyOf(sizes);
    const hit = cache.get(key);
    if (hit !== undefined) {
      hits++;
      cache.delete(key); // re-inserted: Map order is the recency order
      cache.set(key, hit);
      return hit;
    }
    const made = specializer.now(sizes); // a compile error leaves the cache and its counts as they were
    misses++;
    return remember(sizes, made);
  };
  const bump = (names: readonly string[]) => {
    for (const n of names) version.set(n, ++clock);
  };

  return {
    ...base,
    run(entry: string, feeds: StepFeeds, sizes?: Sizes): StepResults {
      checkEntry(entry);
      const at = sizes === undefined ? inferred(entry, feeds) : resolve(sizes, `run(${JSON.stringify(entry)})`);
      if (at === null) {
        const results = base.run(entry, feeds);
        bump(updated.get(entry)!);
        return results;
      }
      checkFeeds(entry, feeds, at);
      const special = specializedFor(at);
      for (const n of special.model.names()) {
        const newest = version.get(n) ?? 0;
        if ((special.synced.get(n) ?? 0) === newest) continue;
        special.model.write(n, base.read(n));
        special.synced.set(n, newest);
      }
      const results = special.model.run(entry, feeds);
      for (const n of updated.get(entry)!) {
        base.write(n, special.model.read(n));
        version.set(n, ++clock);
        special.synced.set(n, clock);
      }
      return results;
    },
    write(name: string, data: Float32Array | Float64Array | readonly number[]): void {
      base.write(name, data); // checks first: a bad call changes nothing
      bump([name]);
    },
    sizes: () => ({ ...compiled }),
    specializations: () => ({ size: cache.size, limit, hits, misses, sizes: [...cache.values()].map((s) => ({ ...s.sizes })) }),
    async prepare(sizes: Sizes): Promise<void> {
      const at = resolve(sizes, "prepare");
      if (at === null || cache.has(keyOf(at))) return;
      const model = await (specializer.ahead ?? (async (s: Sizes) => specializer.now(s)))(at);
      if (cache.has(keyOf(at)))
        await model.close?.(); // prepared twice at once: the first stays
      else remember(at, model);
    },
    async close(): Promise<void> {
      const all = [base, ...[...cache.values()].map((s) => s.model)];
      cache.clear();
      await Promise.all(all.map((m) => m.close?.()));
    },
  };
}
