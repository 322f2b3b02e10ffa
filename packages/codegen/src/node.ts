/**
 * Node-only parts of @gradfold/codegen (`@gradfold/codegen/node`, also what
 * `@gradfold/codegen/threads` resolves to in Node): the worker_threads pool that splits
 * large matmuls across cores. Kept out of the main entry so that the package bundles
 * for browsers; browsers get the same API on Web Workers from browser.ts.
 */
import { compileThreadedWith, type ThreadedCompileOptions, type ThreadedModel, type ThreadedStep } from "./compile-threaded.ts";
import type { ModelSpec } from "./model.ts";
import type { StepSpec } from "./spec.ts";
import { createMatmulPool } from "./wasm/matmul-pool.ts";

export { createMatmulPool } from "./wasm/matmul-pool.ts";
export type { MatmulPool, MatmulPoolOptions } from "./wasm/matmul-pool.ts";
export type { ThreadedCompileOptions, ThreadedModel, ThreadedStep } from "./compile-threaded.ts";

/**
 * compile() with the Wasm matmuls split across worker threads (worker_threads) over a
 * shared arena; bit-identical to compile()'s step. A model (`{ entries, sizes }`) too: sizes first met in
 * run() compile single-threaded (bit-identical), prepare(sizes) compiles them threaded.
 * See compileThreadedWith.
 */
export function compileThreaded(spec: StepSpec, options?: ThreadedCompileOptions): Promise<ThreadedStep>;
export function compileThreaded(spec: ModelSpec, options?: ThreadedCompileOptions): Promise<ThreadedModel>;
export function compileThreaded(spec: StepSpec | ModelSpec, options: ThreadedCompileOptions = {}): Promise<ThreadedStep | ThreadedModel> {
  return compileThreadedWith(createMatmulPool, spec as ModelSpec, options);
}
