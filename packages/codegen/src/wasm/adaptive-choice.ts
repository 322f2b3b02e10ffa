import type { MatmulKernel } from "./matmul-kernels.ts";

export interface AdaptiveChoiceOptions {
  /**
   * Calls of each implementation run first and not timed: a kernel's first calls
   * run V8's baseline (Liftoff) code until the optimized tier arrives, and a
   * worker's first calls meet cold caches. Measuring those made the pool pick the
   * caller-only kernel for the whole run (seen in apps/bench: no split at batch 1000).
   */
  readonly warmup?: number;
  /** Timed calls of each implementation per measuring round. */
  readonly trials?: number;
  /** Calls between the first round and the second; doubles after each round up to `maxPeriod`. */
  readonly firstPeriod?: number;
  readonly maxPeriod?: number;
}

/**
 * Chooses, per kernel and by measurement, between two implementations that give
 * bit-identical results (the pool's split kernel and the caller-only one). After
 * `warmup` untimed calls of each, a round alternates the two for `trials` calls
 * each and then uses the one with the lower median wall time for a period of
 * calls; periods start short (an early wrong pick is corrected soon) and double up
 * to `maxPeriod`. On an idle machine the split wins; when other processes hold the
 * second core, splitting only adds hand-off costs and the caller-only kernel takes
 * over — the results never change.
 */
export function adaptiveChoice(split: MatmulKernel, single: MatmulKernel, options: AdaptiveChoiceOptions = {}): MatmulKernel & { usingSplit(): boolean } {
  const { warmup = 2, trials = 4, firstPeriod = 50, maxPeriod = 400 } = options;
  const splitTimes: number[] = [];
  const singleTimes: number[] = [];
  let useSplit = true;
  /** Calls into the current round: [0, 2·trials) measure, then the chosen one runs until `period`. */
  let phase = -2 * warmup;
  let period = firstPeriod;
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const choose: MatmulKernel = (a, b, c, bias = 0) => {
    const at = phase++;
    if (at < 0) {
      // Warm-up: both run (alternating), untimed.
      if (at % 2 === 0) split(a, b, c, bias);
      else single(a, b, c, bias);
      return;
    }
    if (at >= 2 * trials) {
      if (useSplit) split(a, b, c, bias);
      else single(a, b, c, bias);
      if (phase >= 2 * trials + period) {
        phase = 0;
        period = Math.min(maxPeriod, 2 * period);
      }
      return;
    }
    const trySplit = at % 2 === 0;
    const t0 = performance.now();
    if (trySplit) split(a, b, c, bias);
    else single(a, b, c, bias);
    (trySplit ? splitTimes : singleTimes)[at >> 1] = performance.now() - t0;
    if (at === 2 * trials - 1) useSplit = median(splitTimes) <= median(singleTimes);
  };
  return Object.assign(choose, { usingSplit: () => useSplit });
}
