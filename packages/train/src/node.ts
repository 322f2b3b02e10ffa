/**
 * Node-only parts of @gradfold/train (`@gradfold/train/node`): models whose steps split
 * their large matmuls across worker threads, every core by default. Kept out of the
 * main entry so that the package stays browser-safe.
 */
import { availableParallelism } from "node:os";
import { compile } from "@gradfold/codegen";
import { compileThreaded } from "@gradfold/codegen/node";
import type { EntriesModel, EntriesOptions, StepCompiler } from "./compile-entries.ts";
import { compileModelAsync, type ModelSpec } from "./compile-model.ts";

/** Cores this process may use: Node's `os.availableParallelism()`. */
export const availableThreads = (): number => availableParallelism();

/**
 * A step compiler over `threads` threads, the caller included: codegen's
 * `compileThreaded`, or plain `compile` for one thread. Threaded results are
 * bit-identical to one thread's (matmuls are split by rows or columns, never along k).
 */
export function threadedCompiler(threads: number = availableThreads()): StepCompiler {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  return threads === 1 ? compile : (spec, options) => compileThreaded(spec, { ...options, threads });
}

export interface ThreadedModelOptions extends Omit<EntriesOptions, "compileStep"> {
  /** Threads per step, the caller included; default every available core. 1: the single-threaded step. */
  readonly threads?: number;
}

/** `compileModel` with steps over every core (or `threads`); `model.close()` stops the workers (they never keep Node alive). */
export function compileModelThreaded<I>(spec: ModelSpec<I>, options: ThreadedModelOptions = {}): Promise<EntriesModel> {
  const { threads, ...rest } = options;
  return compileModelAsync(spec, { ...rest, compileStep: threadedCompiler(threads) });
}
