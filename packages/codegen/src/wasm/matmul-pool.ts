import { Worker } from "node:worker_threads";
import { createPoolWith, type MatmulPool, type MatmulPoolOptions, type PoolWorker, type PoolWorkerData } from "./matmul-pool-core.ts";
import type { MatmulSpec } from "./matmul-spec.ts";
import { workerSource } from "./matmul-worker-source.ts";
import type { WasmMemory } from "./wasm-api.ts";

export type { MatmulPool, MatmulPoolOptions } from "./matmul-pool-core.ts";

/**
 * The matmul pool on Node's worker_threads (the protocol and the split live in
 * matmul-pool-core.ts). Workers are unref'd, so a forgotten pool never keeps a
 * process alive.
 */
export function createMatmulPool(specs: readonly MatmulSpec[], memory: WasmMemory, options: MatmulPoolOptions = {}): Promise<MatmulPool> {
  return createPoolWith(startWorker, specs, memory, options);
}

function startWorker(workerData: PoolWorkerData): Promise<PoolWorker> {
  const worker = new Worker(workerSource, { eval: true, workerData });
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", () => {
      worker.off("error", reject);
      worker.unref();
      resolve({
        stop(signalQuit) {
          const exited = new Promise<void>((done) => worker.once("exit", () => done()));
          // Keep the event loop alive until the exit arrives, or an awaited close() never settles.
          worker.ref();
          signalQuit();
          return exited;
        },
      });
    });
  });
}
