import type { MatmulKernel } from "./matmul-kernels.ts";

/**
 * Chooses, per kernel and by measurement, between two implementations that give
 * bit-identical results (the pool's split kernel and the caller-only one): every
 * `period` calls it alternates the two for `trials` calls each, then uses the one
 * with the lower median wall time until the next round. On an idle machine the
 * split wins; when other processes hold the second core, splitting only adds
 * hand-off costs and the caller-only kernel takes over — the results never change.
 */
export function adaptiveChoice(split: MatmulKernel, single: MatmulKernel, trials = 5, period = 200): MatmulKernel & { usingSplit(): boolean } {
  const splitTimes: number[] = [];
  const singleTimes: number[] = [];
  let calls = 0;
  let useSplit = true;
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const choose: MatmulKernel = (a, b, c, bias = 0) => {
    const phase = calls++ % period;
    if (phase >= 2 * trials) {
      if (useSplit) split(a, b, c, bias);
      else single(a, b, c, bias);
      return;
    }
    const trySplit = phase % 2 === 0;
    const t0 = performance.now();
    if (trySplit) split(a, b, c, bias);
    else single(a, b, c, bias);
    (trySplit ? splitTimes : singleTimes)[phase >> 1] = performance.now() - t0;
    if (phase === 2 * trials - 1) useSplit = median(splitTimes) <= median(singleTimes);
  };
  return Object.assign(choose, { usingSplit: () => useSplit });
}
