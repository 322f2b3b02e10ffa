/**
 * Node-only parts of @gradfold/train (`@gradfold/train/node`): models whose large
 * matmuls are split across worker threads, every core by default. Kept out of the
 * main entry so that the package stays browser-safe.
 */
import { availableParallelism } from "node:os";
import { compile } from "@gradfold/codegen";
import { compileThreaded } from "@gradfold/codegen/node";
import { compileModelAsync, type CompileModelOptions, type ModelCompiler, type ModelSpec, type TrainModel } from "./compile-model.ts";

/** Cores this process may use: Node's `os.availableParallelism()`. */
export const availableThreads = (): number => availableParallelism();

/**
 * A model compiler over `threads` threads, the caller included: codegen's
 * `compileThreaded`, or plain `compile` for one thread. Threaded results are
 * bit-identical to one thread's (matmuls are split by rows or columns, never along k);
 * sizes first met in `run` compile single-threaded, `prepare(sizes)` compiles them threaded.
 */
export function threadedCompiler(threads: number = availableThreads()): ModelCompiler {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  return threads === 1 ? compile : (spec, options) => compileThreaded(spec, { ...options, threads });
}

export interface ThreadedModelOptions extends Omit<CompileModelOptions, "compiler"> {
  /** Threads, the caller included; default every available core. 1: the single-threaded model. */
  readonly threads?: number;
}

/** `compileModel` over every core (or `threads`); `model.close()` stops the workers (they never keep Node alive). */
export function compileModelThreaded<I>(spec: ModelSpec<I>, options: ThreadedModelOptions = {}): Promise<TrainModel> {
  const { threads, ...rest } = options;
  return compileModelAsync(spec, { ...rest, compiler: threadedCompiler(threads) });
}
