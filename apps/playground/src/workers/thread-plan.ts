/** More than four threads buys little for the playground's models and takes cores from the page. */
export const maxThreads = 4;

/** How many threads a step runs on here, and the line the page shows for it. */
export interface ThreadPlan {
  readonly threads: number;
  readonly text: string;
}

/**
 * Threads need SharedArrayBuffer, which only a cross-origin isolated page (COOP + COEP)
 * has; then every core up to `maxThreads`. An unknown or nonsensical core count counts
 * as one core: one thread is always correct.
 */
export function threadPlan(isolated: boolean, cores: number | undefined): ThreadPlan {
  if (!isolated) return { threads: 1, text: "1 thread: page not cross-origin isolated" };
  const threads = Math.min(maxThreads, Number.isInteger(cores) && (cores as number) > 0 ? (cores as number) : 1);
  return threads > 1 ? { threads, text: `${threads} threads` } : { threads: 1, text: "1 thread: one core available" };
}
