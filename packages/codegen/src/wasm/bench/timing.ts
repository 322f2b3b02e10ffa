/**
 * Median time (ms) of one call of `run`: `samples` short batches of about
 * `batchMs` each, so that a batch hit by preemption on the shared machine is an
 * outlier the median ignores. Also returns the fastest batch.
 */
export function timeCall(run: () => void, samples = 25, batchMs = 2): { median: number; best: number } {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) run();
    if (performance.now() - t0 >= batchMs || reps >= 1 << 20) break;
    reps *= 2;
  }
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) run();
    times.push((performance.now() - t0) / reps);
  }
  times.sort((x, y) => x - y);
  return { median: times[Math.floor(times.length / 2)], best: times[0] };
}

export function medianMs(run: () => void, samples = 25, batchMs = 2): number {
  return timeCall(run, samples, batchMs).median;
}

/** Runs `run` for about `ms` so V8 tiers the Wasm (and JS) code up before timing. */
export function warmUp(run: () => void, ms = 100): void {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) run();
}
