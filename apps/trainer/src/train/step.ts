import { evaluate, initialValue, type AnyTensor, type Sizes } from "@gradfold/graph";
import { topoSort } from "@gradfold/graph/internal";
import type { ModelSpec } from "@gradfold/codegen";

/**
 * What the trainer needs from a training (or evaluation) step: the contract of
 * @gradfold/codegen's compile(), so the float64 reference interpreter can stand in
 * for it on tiny problems and in tests.
 */
export interface StepSpec {
  readonly inputs: readonly AnyTensor[];
  readonly outputs: Readonly<Record<string, AnyTensor>>;
  readonly updates: ReadonlyArray<readonly [AnyTensor, AnyTensor]>;
  readonly sizes: Sizes;
}

export type StepFeeds = Readonly<Record<string, Float32Array | Int32Array>>;

export interface Step {
  /** Computes the outputs from the current state, then applies the updates. */
  run(feeds: StepFeeds): Record<string, Float32Array>;
  /** A copy of a param or optimizer state slot, by name. */
  read(name: string): Float32Array;
  write(name: string, data: Float32Array): void;
  /** Every param and state slot name. */
  names(): string[];
}

/** Names of every param (trainable or optimizer state) that a spec reads or updates, in graph order. */
export function stateNames(spec: StepSpec): string[] {
  const roots = [...Object.values(spec.outputs), ...spec.updates.flat()];
  return topoSort(roots)
    .filter((t) => t.is("param"))
    .map((t) => (t.params as { name: string }).name);
}

/**
 * The reference backend: every run evaluates the whole program in float64 with
 * @gradfold/graph's interpreter and rounds the results to float32, as the compiled
 * step stores them. Slow, simple, and the oracle the compiled step is checked against.
 */
export function referenceStep(spec: StepSpec): Step {
  const model = referenceModel({ entries: { step: spec }, sizes: spec.sizes });
  return { run: (feeds) => model.run("step", feeds), read: model.read, write: model.write, names: model.names };
}

/**
 * The reference backend for a model: each entry a referenceStep over one shared set of
 * params (by name, as codegen's model has them), at the run's sizes when given.
 */
export function referenceModel(spec: ModelSpec): {
  run(entry: string, feeds: StepFeeds, sizes?: Sizes): Record<string, Float32Array>;
  read(name: string): Float32Array;
  write(name: string, data: Float32Array | Float64Array | readonly number[]): void;
  names(): string[];
} {
  const state = new Map<string, Float32Array>();
  const entries = new Map(Object.entries(spec.entries).map(([name, e]) => [name, { ...e, updates: e.updates ?? [] }] as const));
  for (const e of entries.values()) {
    for (const node of topoSort([...Object.values(e.outputs), ...e.updates.flat()])) {
      if (node.is("param") && !state.has(node.params.name)) state.set(node.params.name, Float32Array.from(initialValue(node)));
    }
  }
  const known = (name: string) => {
    const data = state.get(name);
    if (!data) throw new Error(`step: no param or state slot named ${JSON.stringify(name)}; known: ${[...state.keys()].join(", ")}`);
    return data;
  };
  return {
    run(entry, feeds, sizes) {
      const e = entries.get(entry);
      if (!e) throw new Error(`run: unknown entry ${JSON.stringify(entry)}; the entries are ${[...entries.keys()].join(", ")}`);
      const names = Object.keys(e.outputs);
      const values = evaluate([...Object.values(e.outputs), ...e.updates.map(([, v]) => v)], { ...Object.fromEntries(state), ...feeds }, { ...spec.sizes, ...sizes });
      const result: Record<string, Float32Array> = {};
      names.forEach((name, i) => {
        result[name] = Float32Array.from(values[i]);
      });
      e.updates.forEach(([target], i) => {
        state.set((target.params as { name: string }).name, Float32Array.from(values[names.length + i]));
      });
      return result;
    },
    read: (name) => known(name).slice(),
    names: () => [...state.keys()],
    write(name, data) {
      const current = known(name);
      if (data.length !== current.length) throw new Error(`step.write(${JSON.stringify(name)}): expected ${current.length} values, got ${data.length}`);
      state.set(name, Float32Array.from(data));
    },
  };
}
