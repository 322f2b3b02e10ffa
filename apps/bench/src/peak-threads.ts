import { peakModuleBytes } from "./peak.ts";

/**
 * The Wasm SIMD peak of several threads at once: the caller and `threads − 1` workers
 * run the same probe (peak.ts) released together, and a round lasts until the last
 * one finishes — the roof for a step split across threads, which also waits for its
 * slowest thread. Workers are the platform's (worker_threads in Node, Web Workers in
 * a browser), started by `spawn` with this file's worker source and its data.
 */
export type SpawnPeakWorker = (source: string, data: PeakWorkerData) => Promise<{ terminate(): void }>;

export interface PeakWorkerData {
  readonly bytes: Uint8Array;
  /** Int32 [0]: round (−1 quits), [1]: workers finished this round. */
  readonly flags: SharedArrayBuffer;
  readonly iterations: number;
}

/** `peakWorker(data, ready)`: each platform's worker source calls it (see peakWorkerSourceFor). */
export const peakWorkerFunction = `
function peakWorker(data, ready) {
  const flags = new Int32Array(data.flags);
  const peak = new WebAssembly.Instance(new WebAssembly.Module(data.bytes)).exports.peak;
  peak(100000);
  ready();
  for (let seen = 0; ; ) {
    Atomics.wait(flags, 0, seen);
    seen = Atomics.load(flags, 0);
    if (seen < 0) return;
    peak(data.iterations);
    Atomics.add(flags, 1, 1);
    Atomics.notify(flags, 1);
  }
}
`;

/**
 * GFLOP/s of `threads` threads running the probe together: best of `rounds`, each
 * round's flops over the time until the last thread is done. The caller must be
 * allowed to block (Node, or a browser Worker).
 */
export async function multiThreadPeak(spawn: SpawnPeakWorker, threads: number, fma = false, iterations = 2_000_000, rounds = 25): Promise<number> {
  const bytes = peakModuleBytes(fma);
  const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (m: object) => { exports: Record<string, unknown> }; Module: new (b: Uint8Array) => object } }).WebAssembly;
  const peak = new wasm.Instance(new wasm.Module(bytes)).exports.peak as (n: number) => number;
  peak(100_000);
  const flagsBuffer = new SharedArrayBuffer(8);
  const flags = new Int32Array(flagsBuffer);
  const workers = await Promise.all(Array.from({ length: threads - 1 }, () => spawn(peakWorkerFunction, { bytes, flags: flagsBuffer, iterations })));
  try {
    let fastest = Number.POSITIVE_INFINITY;
    let sink = 0;
    for (let round = 1; round <= rounds; round++) {
      Atomics.store(flags, 1, 0);
      const t0 = performance.now();
      Atomics.store(flags, 0, round);
      Atomics.notify(flags, 0);
      sink += peak(iterations);
      for (let done = Atomics.load(flags, 1); done < workers.length; done = Atomics.load(flags, 1)) Atomics.wait(flags, 1, done);
      fastest = Math.min(fastest, performance.now() - t0);
    }
    if (Number.isNaN(sink)) throw new Error("peak probe produced NaN");
    return (threads * 2 * 4 * 12 * iterations) / (fastest * 1e6);
  } finally {
    Atomics.store(flags, 0, -1);
    Atomics.notify(flags, 0);
    for (const w of workers) w.terminate();
  }
}
