import { hasRelaxedSimd, wasmSimdPeak } from "../peak.ts";
import { multiThreadPeak, type PeakWorkerData } from "../peak-threads.ts";
import { makeProblem } from "../problem.ts";
import { runConfig } from "../run-config.ts";
import { browserContenders } from "./contenders.ts";
import { poolCheck } from "./pool-check.ts";
import type { BrowserRequest, BrowserResult, Peaks } from "./protocol.ts";
import { blobWorker, web } from "./web.ts";

/**
 * Serves one request inside Chromium (the bench Worker, or the page for the
 * main-thread pool check): the same runConfig, problem and contenders as in Node.
 */
export async function handle(request: BrowserRequest, log: (line: string) => void): Promise<BrowserResult> {
  switch (request.kind) {
    case "env":
      return { userAgent: web.navigator.userAgent, crossOriginIsolated: web.crossOriginIsolated, cores: web.navigator.hardwareConcurrency, relaxedSimd: hasRelaxedSimd() };
    case "config": {
      const unknown = request.contenders.filter((id) => !Object.hasOwn(browserContenders, id));
      if (unknown.length > 0) throw new Error(`no browser contender ${unknown.join(", ")}; expected one of ${Object.keys(browserContenders).join(", ")}`);
      const problem = makeProblem(request.config, request.seed);
      return runConfig(
        problem,
        request.contenders.map((id) => browserContenders[id]()),
        { warmup: request.warmup, steps: request.steps, budgetMs: request.budgetMs, lossSteps: request.lossSteps, log },
      );
    }
    case "peaks":
      return peaks(request.threads);
    case "pool-check":
      return poolCheck(typeof (globalThis as { document?: unknown }).document === "undefined" ? "worker" : "main thread");
  }
}

async function peaks(threads: number): Promise<Peaks> {
  const fma = hasRelaxedSimd();
  const together = (withFma: boolean) => multiThreadPeak(spawnPeakWorker, threads, withFma);
  return {
    threads,
    simd: wasmSimdPeak(),
    fma: fma ? wasmSimdPeak(1_000_000, true) : undefined,
    simdThreads: await together(false),
    fmaThreads: fma ? await together(true) : undefined,
  };
}

function spawnPeakWorker(source: string, data: PeakWorkerData): Promise<{ terminate(): void }> {
  const worker = blobWorker(
    `${source}\nself.onmessage = (event) => { self.onmessage = null; peakWorker(event.data, () => self.postMessage("ready")); self.close(); };`,
    "peak probe",
  );
  return new Promise((resolve, reject) => {
    worker.onerror = (event) => reject(new Error(`peak worker: ${event.message ?? "failed to start"}`));
    worker.onmessage = () => resolve(worker);
    worker.postMessage(data);
  });
}
