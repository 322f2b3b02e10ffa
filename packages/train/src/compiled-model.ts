import type { DType, Dim, Sizes } from "@gradfold/graph";

/** Arrays fed to `run`: Float32Array for float32 inputs, Int32Array for int32, Uint8Array for bool. */
export type Feeds = Readonly<Record<string, Float32Array | Int32Array | Uint8Array>>;

/** `run` results: views the next `run` may overwrite; copy what you keep. */
export type Results = Readonly<Record<string, Float32Array | Int32Array>>;

/** A named input or output of an entry, with its (possibly symbolic) shape. */
export interface TensorInfo {
  readonly name: string;
  readonly shape: readonly Dim[];
  readonly dtype: DType;
}

/** What one entry reads and returns, and the sizes it was compiled for. */
export interface EntryInfo {
  /** Every input the entry reads, in spec order (random inputs included). */
  readonly inputs: readonly TensorInfo[];
  /** The named results of `run`. */
  readonly outputs: readonly TensorInfo[];
  /** The sizes of symbolic dims it was compiled for (other sizes specialise on first use). */
  readonly sizes: Sizes;
  /** Names of the inputs `randomFeeds` supplies (dropout masks), not the user's data. */
  readonly random: readonly string[];
  /** The params and state slots the entry reads or updates, with their shapes (float32). */
  readonly params: readonly TensorInfo[];
}

/**
 * A compiled model with several entries over one set of params and optimizer state,
 * as DESIGN.md's multi-entry `compile({ entries, sizes })` returns it: `fit`,
 * `evaluate`, `predict` and the weights functions consume only this.
 */
export interface CompiledModel {
  readonly entries: Readonly<Record<string, EntryInfo>>;
  /**
   * Runs one entry: checks feeds (nothing changes on error), computes its outputs and
   * applies its updates. `sizes` other than the compiled ones (a last partial batch,
   * one example) run a step specialised for them over the same params.
   */
  run(entry: string, feeds: Feeds, sizes?: Sizes): Results;
  /** A copy of a param's or optimizer state slot's current value. */
  read(name: string): Float32Array;
  /** Overwrites a param or state slot; checks first, so a bad call changes nothing. */
  write(name: string, data: Float32Array | Float64Array | readonly number[]): void;
  /** Every name `read` and `write` accept, across all entries. */
  names(): string[];
  /** Feeds for an entry's random inputs at training step `step` (absent when none has any). */
  randomFeeds?(entry: string, step: number, sizes: Sizes): Record<string, Float32Array>;
}

/** The entry's info, or an error listing the entries there are. */
export function entryOf(model: CompiledModel, entry: string, what: string): EntryInfo {
  const info = Object.hasOwn(model.entries, entry) ? model.entries[entry] : undefined;
  if (!info) throw new Error(`${what}: the model has no entry ${JSON.stringify(entry)}; it has ${JSON.stringify(Object.keys(model.entries))}`);
  return info;
}
