import type { CompiledModel } from "./compiled-model.ts";
import type { Dataset } from "./data.ts";
import { fitLoop, type FitOptions, type History } from "./fit.ts";

export interface FitAsyncOptions extends FitOptions {
  /** Give the event loop a turn once this many milliseconds of training have passed since the last; default 16 (a frame). */
  yieldMs?: number;
}

// setTimeout exists in browsers and Node alike; the ES lib we compile against does not declare it.
const timers = globalThis as unknown as { setTimeout(fn: () => void, ms: number): unknown };
const turn = () => new Promise<void>((resolve) => timers.setTimeout(resolve, 0));

/**
 * `fit` that lets a page stay responsive and an `AbortSignal` fire mid-run: the same
 * loop, the same numbers, with a pause to the event loop between batches whenever
 * `yieldMs` have passed. The clock decides only when to pause, never what is computed.
 */
export async function fitAsync(model: CompiledModel, data: Dataset, options: FitAsyncOptions): Promise<History> {
  const { yieldMs = 16 } = options ?? ({} as FitAsyncOptions);
  if (!(yieldMs >= 0)) throw new RangeError(`fitAsync: yieldMs must be ≥ 0, got ${yieldMs}`);
  const loop = fitLoop(model, data, options);
  let last = Date.now();
  for (;;) {
    const next = loop.next();
    if (next.done) return next.value;
    if (Date.now() - last >= yieldMs) {
      await turn();
      last = Date.now();
    }
  }
}
