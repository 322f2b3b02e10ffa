/**
 * The browser's threads (`@gradfold/codegen/threads` under the `browser` condition, or
 * `@gradfold/codegen/browser`): the same API as `@gradfold/codegen/node`, on Web
 * Workers over a shared WebAssembly.Memory. Needs a cross-origin isolated page
 * (COOP: same-origin, COEP: require-corp). Run the step inside a Worker: there the
 * caller sleeps in Atomics.wait while a worker finishes its last chunk; on the main
 * thread, where Atomics.wait throws, it spins instead (correct, but it holds the
 * page's thread, as a synchronous run() does anyway).
 */
import { compileThreadedWith, type ThreadedCompileOptions, type ThreadedModel, type ThreadedStep } from "./compile-threaded.ts";
import type { ModelSpec } from "./model.ts";
import type { StepSpec } from "./spec.ts";
import { createMatmulPool } from "./wasm/pool-browser.ts";

export { createMatmulPool } from "./wasm/pool-browser.ts";
export type { MatmulPool, MatmulPoolOptions } from "./wasm/matmul-pool-core.ts";
export type { ThreadedCompileOptions, ThreadedModel, ThreadedStep } from "./compile-threaded.ts";

/**
 * compile() with the Wasm matmuls split across Web Workers over a shared arena;
 * bit-identical to compile()'s step. A model (`{ entries, sizes }`) too: sizes first met in
 * run() compile single-threaded (bit-identical), prepare(sizes) compiles them threaded.
 * See compileThreadedWith.
 */
export function compileThreaded(spec: StepSpec, options?: ThreadedCompileOptions): Promise<ThreadedStep>;
export function compileThreaded(spec: ModelSpec, options?: ThreadedCompileOptions): Promise<ThreadedModel>;
export function compileThreaded(spec: StepSpec | ModelSpec, options: ThreadedCompileOptions = {}): Promise<ThreadedStep | ThreadedModel> {
  return compileThreadedWith(createMatmulPool, spec as ModelSpec, options);
}
