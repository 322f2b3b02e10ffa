/** Median of a non-empty sample (mean of the middle two for even sizes). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error("median of an empty sample");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The order in which contenders take their timed steps: round robin (A B C A B C …),
 * each round starting one contender later so no one always runs right after the
 * same neighbour, and contenders that have all their samples drop out while the
 * others go on. `targets[i]` is how many steps contender i takes.
 */
export function interleavedOrder(targets: readonly number[]): number[] {
  const taken = targets.map(() => 0);
  const order: number[] = [];
  const n = targets.length;
  for (let round = 0; taken.some((t, i) => t < targets[i]); round++) {
    for (let k = 0; k < n; k++) {
      const i = (round + k) % n;
      if (taken[i] < targets[i]) {
        order.push(i);
        taken[i]++;
      }
    }
  }
  return order;
}

/**
 * How many timed steps a contender gets: `steps`, but no more than fit in
 * `budgetMs` at its warm-up pace, and never fewer than `minSteps` (so a median
 * still means something for the very slow ones).
 */
export function stepsWithinBudget(steps: number, warmStepMs: number, budgetMs: number, minSteps = 3): number {
  if (!(warmStepMs > 0)) return steps;
  return Math.max(Math.min(minSteps, steps), Math.min(steps, Math.floor(budgetMs / warmStepMs)));
}

/** Largest |a[i] − b[i]| over the common prefix. */
export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  let worst = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = Math.abs(a[i] - b[i]);
    worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(worst, d);
  }
  return worst;
}
