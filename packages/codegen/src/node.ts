/**
 * Node-only parts of @gradfold/codegen (`@gradfold/codegen/node`): the worker_threads
 * pool that splits large matmuls across cores. Kept out of the main entry so that
 * the package bundles for browsers.
 */
export { createMatmulPool } from "./wasm/matmul-pool.ts";
export type { MatmulPool, MatmulPoolOptions } from "./wasm/matmul-pool.ts";
export { compileThreaded, type ThreadedCompileOptions, type ThreadedStep } from "./compile-threaded.ts";
