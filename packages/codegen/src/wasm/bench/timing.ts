/**
 * Timing on a machine shared with other busy processes. Each sample is a short
 * batch of about `batchMs`; we keep both wall time and this process's CPU time
 * (`process.cpuUsage`, user + system), because CPU time excludes the slices the
 * scheduler gave to others — the kernel's own speed — while wall time is what a
 * caller waits for. Medians ignore batches hit by preemption; `best` is the fastest.
 */
export interface CallTiming {
  /** Median wall ms per call. */
  readonly median: number;
  /** Fastest batch's wall ms per call. */
  readonly best: number;
  /** Median CPU ms per call (single-threaded work only; workers' CPU is not counted). */
  readonly cpuMedian: number;
}

export function timeCall(run: () => void, samples = 25, batchMs = 2): CallTiming {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) run();
    if (performance.now() - t0 >= batchMs || reps >= 1 << 20) break;
    reps *= 2;
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let s = 0; s < samples; s++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) run();
    wall.push((performance.now() - t0) / reps);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000 / reps);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { median: median(wall), best: Math.min(...wall), cpuMedian: median(cpu) };
}

export function medianMs(run: () => void, samples = 25, batchMs = 2): number {
  return timeCall(run, samples, batchMs).median;
}

/** Runs `run` for about `ms` so V8 tiers the Wasm (and JS) code up before timing. */
export function warmUp(run: () => void, ms = 100): void {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) run();
}
