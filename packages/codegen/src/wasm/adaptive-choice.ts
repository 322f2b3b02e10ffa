export interface AdaptiveChoiceOptions {
  /**
   * Calls that run the split, untimed, before the first warm-up: the pool staggers its
   * kernels' first rounds by this so that they do not measure in the same steps (each
   * kernel is called once per step, so choosers started together alternate together,
   * and half the steps of their rounds would run every kernel on the caller alone).
   */
  readonly delay?: number;
  /**
   * Calls of each implementation run first and not timed: a kernel's first calls
   * run V8's baseline (Liftoff) code until the optimized tier arrives, and a
   * worker's first calls meet cold caches. Measuring those made the pool pick the
   * caller-only kernel for the whole run (seen in apps/bench: no split at batch 1000).
   */
  readonly warmup?: number;
  /** Timed calls of each implementation per measuring round. */
  readonly trials?: number;
  /**
   * The caller-only kernel is chosen only when its median time is below `margin` ×
   * the split's. The two risks are unequal: a split whose worker is off-core costs
   * little more than the caller-only kernel (the caller claims every chunk itself),
   * while wrongly staying on one core forgoes up to 2×.
   */
  readonly margin?: number;
  /** Calls on the split between the first round and the second; doubles after each round up to `maxPeriod` (default 200). */
  readonly firstPeriod?: number;
  readonly maxPeriod?: number;
  /** Calls on the caller-only kernel before measuring again (short: a busy second core is often busy only briefly). */
  readonly singlePeriod?: number;
  /**
   * Each round in a row that keeps the caller-only one doubles its period up to this
   * (default `singlePeriod`: no doubling); a round won by the split starts over.
   */
  readonly maxSinglePeriod?: number;
  /**
   * While the split is the choice, a new round starts at once when the median of its
   * last `trials` calls exceeds both `slowdown` × its median when chosen (default 1.3)
   * and the caller-only kernel's median in that round: the second core got busy, and
   * waiting out a period of up to `maxPeriod` calls on a split that may now lose would
   * cost more than measuring again. A split still faster than the caller-only kernel
   * was is kept: in a busy or interleaved loop (cold caches at each call) its times
   * wander by more than 1.3×, and each needless round runs `trials` caller-only calls.
   */
  readonly slowdown?: number;
}

const defaultWarmup = 2;
const defaultTrials = 4;
/** Calls of a first round with the default options: warm-up and timed calls of both. */
export const firstRoundCalls = 2 * (defaultWarmup + defaultTrials);

/**
 * Chooses, by measurement, between two implementations that give bit-identical
 * results: per kernel, the pool's split kernel and the caller-only one; per step, the
 * step with threads and on one thread (compile-threaded.ts). After
 * `warmup` untimed calls of each, a round alternates the two for `trials` calls
 * each, then runs the one with the lower median wall time (see `margin`) for a
 * period of calls before measuring again. On an idle machine the split wins; when
 * other processes hold the second core, splitting only adds hand-off costs and the
 * caller-only kernel takes over — the results never change.
 */
export function adaptiveChoice<A extends unknown[], R>(
  split: (...args: A) => R,
  single: (...args: A) => R,
  options: AdaptiveChoiceOptions = {},
): ((...args: A) => R) & { usingSplit(): boolean; measuring(): boolean } {
  const { delay = 0, warmup = defaultWarmup, trials = defaultTrials, margin = 0.9, firstPeriod = 50, maxPeriod = 200, singlePeriod = 16, slowdown = 1.3 } = options;
  const maxSinglePeriod = options.maxSinglePeriod ?? singlePeriod;
  let singleSpan = singlePeriod;
  const splitTimes: number[] = [];
  const singleTimes: number[] = [];
  let useSplit = true;
  /** Calls into the current round: [0, 2·trials) measure, then the chosen one runs until `2·trials + period`. */
  let phase = -2 * warmup - delay;
  let splitPeriod = firstPeriod;
  let period = splitPeriod;
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  /** The split's and the caller-only kernel's medians in the round that chose the split, and the split's latest calls since (a ring of `trials`). */
  let chosenMedian = 0;
  let singleMedian = 0;
  const recent: number[] = [];
  /** Whether the call in progress is a warm-up or measured one (not the chosen one's period). */
  let inRound = false;
  const choose = (...args: A): R => {
    const at = phase++;
    inRound = at >= -2 * warmup && at < 2 * trials;
    // The delay: the split alone, neither warm-up nor measured.
    if (at < -2 * warmup) return split(...args);
    // Warm-up: both run (alternating), untimed.
    if (at < 0) return at % 2 === 0 ? split(...args) : single(...args);
    if (at >= 2 * trials) {
      if (phase >= 2 * trials + period) phase = 0;
      if (!useSplit) return single(...args);
      const t0 = performance.now();
      const result = split(...args);
      recent[(at - 2 * trials) % trials] = performance.now() - t0;
      if (at - 2 * trials >= trials - 1 && median(recent) > Math.max(slowdown * chosenMedian, singleMedian)) phase = 0;
      return result;
    }
    const trySplit = at % 2 === 0;
    const t0 = performance.now();
    const result = trySplit ? split(...args) : single(...args);
    (trySplit ? splitTimes : singleTimes)[at >> 1] = performance.now() - t0;
    if (at === 2 * trials - 1) {
      useSplit = median(singleTimes) >= margin * median(splitTimes);
      chosenMedian = median(splitTimes);
      singleMedian = median(singleTimes);
      if (useSplit) {
        period = splitPeriod;
        splitPeriod = Math.min(maxPeriod, 2 * splitPeriod);
        singleSpan = singlePeriod;
      } else {
        period = singleSpan;
        singleSpan = Math.min(maxSinglePeriod, 2 * singleSpan);
      }
    }
    return result;
  };
  return Object.assign(choose, { usingSplit: () => useSplit, measuring: () => inRound });
}
