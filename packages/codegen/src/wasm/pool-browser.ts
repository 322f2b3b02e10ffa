import { createPoolWith, type MatmulPool, type MatmulPoolOptions, type PoolWorker, type PoolWorkerData } from "./matmul-pool-core.ts";
import type { MatmulSpec } from "./matmul-spec.ts";
import { workerLoopSource } from "./matmul-worker-source.ts";
import type { WasmMemory } from "./wasm-api.ts";

/** The slice of the Web Worker API used here (the project's TypeScript libs have no DOM). */
interface WebWorker {
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
  postMessage(data: unknown): void;
  terminate(): void;
}
const web = globalThis as unknown as { Worker?: new (url: string, options?: { name?: string }) => WebWorker };

/**
 * A Web Worker runs the same loop as Node's. The Module and the shared Memory arrive
 * by postMessage (both are cloneable within a cross-origin isolated agent cluster);
 * after quit the worker says so and closes itself.
 */
const browserWorkerSource = `${workerLoopSource}
self.onmessage = (event) => {
  self.onmessage = null;
  poolWorker(event.data, () => self.postMessage("ready"));
  self.postMessage("exit");
  self.close();
};
`;

/**
 * The matmul pool on Web Workers (browsers, Deno): the same kernels, split and
 * protocol as Node's pool, so results are bit-identical to one thread. Workers block
 * in Atomics.wait between jobs, which any Worker may do. The caller blocks the same
 * way inside a Worker; on a page's main thread, where Atomics.wait throws, it spins
 * instead (matmul-pool-core.ts) — so run the step in a Worker. Needs
 * SharedArrayBuffer, i.e. a cross-origin isolated page.
 */
export function createMatmulPool(specs: readonly MatmulSpec[], memory: WasmMemory, options: MatmulPoolOptions = {}): Promise<MatmulPool> {
  if (web.Worker === undefined && (options.workers ?? 1) > 0) {
    return Promise.reject(new TypeError("createMatmulPool: this context has no Worker constructor (in Node, import from @gradfold/codegen/node)"));
  }
  return createPoolWith(startWorker, specs, memory, options);
}

function startWorker(data: PoolWorkerData): Promise<PoolWorker> {
  const url = URL.createObjectURL(new Blob([browserWorkerSource], { type: "text/javascript" }));
  const worker = new web.Worker!(url, { name: `gradfold matmul pool ${data.slot + 1}` });
  return new Promise((resolve, reject) => {
    worker.onerror = (event) => {
      URL.revokeObjectURL(url);
      worker.terminate();
      reject(new Error(`gradfold matmul pool: a worker failed to start: ${event.message ?? "unknown error"}`));
    };
    worker.onmessage = () => {
      URL.revokeObjectURL(url);
      worker.onerror = null;
      resolve({
        stop(signalQuit) {
          const exited = new Promise<void>((done) => {
            worker.onmessage = () => {
              worker.terminate();
              done();
            };
          });
          signalQuit();
          return exited;
        },
      });
    };
    worker.postMessage(data);
  });
}
