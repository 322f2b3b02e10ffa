import type { BenchConfig } from "../problem.ts";
import type { ContenderRun } from "../run-config.ts";

/** What the Node side asks the page's bench Worker to do (one request at a time). */
export type BrowserRequest =
  | { readonly kind: "env" }
  | {
      readonly kind: "config";
      readonly config: BenchConfig;
      readonly seed: number;
      readonly contenders: readonly string[];
      readonly warmup: number;
      readonly steps: number;
      readonly budgetMs: number;
      readonly lossSteps: number;
    }
  | { readonly kind: "peaks"; readonly threads: number }
  | { readonly kind: "pool-check" };

export interface BrowserEnv {
  readonly userAgent: string;
  readonly crossOriginIsolated: boolean;
  readonly cores: number;
  readonly relaxedSimd: boolean;
}

/** GFLOP/s of the probes in peak.ts and peak-threads.ts; the FMA ones where the engine has relaxed SIMD. */
export interface Peaks {
  readonly simd: number;
  readonly fma?: number;
  readonly simdThreads?: number;
  readonly fmaThreads?: number;
  readonly threads: number;
}

/** The browser pool against one thread, in the Worker and on the page's main thread. */
export interface PoolCheck {
  /** Where it ran: "worker" (the caller sleeps in Atomics.wait) or "main thread" (the caller spins). */
  readonly where: string;
  /** Every split kernel's output equal bit for bit to the caller-only kernel's. */
  readonly kernelsIdentical: boolean;
  /** Chunks the pool's worker ran (> 0: the split really ran on two threads). */
  readonly workerChunks: number;
  /** compileThreaded's losses and params over a few Adam steps equal bit for bit to compile()'s. */
  readonly stepsIdentical: boolean;
  readonly losses: readonly number[];
  /** Loop kernels (elementwise, updates, column sums, softmax) compileThreaded split in a 256-256-10 b128 SGD step. */
  readonly loopKernels: number;
  /** That step's losses and params, every kernel split, equal bit for bit to compile()'s. */
  readonly loopStepsIdentical: boolean;
  /** Chunks the worker ran in it (matmul panels and loop chunks alike). */
  readonly loopWorkerChunks: number;
}

export type BrowserResult = BrowserEnv | readonly ContenderRun[] | Peaks | PoolCheck;
