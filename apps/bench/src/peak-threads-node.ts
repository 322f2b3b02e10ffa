import { Worker } from "node:worker_threads";
import { multiThreadPeak, type PeakWorkerData } from "./peak-threads.ts";

/** multiThreadPeak on Node's worker_threads. */
export function nodeMultiThreadPeak(threads: number, fma = false): Promise<number> {
  return multiThreadPeak(
    (source: string, workerData: PeakWorkerData) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(`${source}\nconst { parentPort, workerData } = require("node:worker_threads");\npeakWorker(workerData, () => parentPort.postMessage("ready"));`, {
          eval: true,
          workerData,
        });
        worker.once("error", reject);
        worker.once("message", () => resolve({ terminate: () => void worker.terminate() }));
      }),
    threads,
    fma,
  );
}
