import type { CompiledModel } from "./compiled-model.ts";
import type { Dataset } from "./data.ts";
import { fitLoop, type FitOptions, type History } from "./fit.ts";

export interface FitAsyncOptions extends FitOptions {
  /** Give the event loop a turn once this many milliseconds of training have passed since the last; default 16 (a frame). */
  yieldMs?: number;
}

// The ES lib we compile against declares none of these host timers.
export interface HostTimers {
  setImmediate?(fn: () => void): unknown;
  MessageChannel?: new () => { port1: { onmessage: (() => void) | null; close(): void }; port2: { postMessage(message: null): void; close(): void } };
  setTimeout(fn: () => void, ms: number): unknown;
}

/**
 * One turn of the event loop, as short as the host allows: setTimeout(0) waits at least
 * 1 ms in Node and 4 ms in a browser once nested, which at one pause per 16 ms frame
 * left the trainer idle 6 % (Node) to 25 % (browser) of the time. Node's setImmediate
 * and a browser's MessageChannel run as soon as the pending events have.
 */
export function hostTurn(host: HostTimers): () => Promise<void> {
  if (host.setImmediate) return () => new Promise<void>((resolve) => host.setImmediate!(resolve));
  if (host.MessageChannel) {
    const Channel = host.MessageChannel;
    return () =>
      new Promise<void>((resolve) => {
        const { port1, port2 } = new Channel();
        port1.onmessage = () => {
          port1.close();
          resolve();
        };
        port2.postMessage(null);
      });
  }
  return () => new Promise<void>((resolve) => host.setTimeout(resolve, 0));
}
const turn = hostTurn(globalThis as unknown as HostTimers);

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
