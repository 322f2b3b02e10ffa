/**
 * Runs `step(s)` at least `min` times, then on until a worker has run a chunk (for at
 * most `seconds`), and returns how many chunks the workers ran. The caller claims
 * chunks too, so on a loaded machine a preempted worker may find none left in a given
 * step; over many steps it takes some.
 */
export function runUntilWorkerRan(threaded: { workerChunks(): number[] }, step: (s: number) => void, min: number, seconds = 10): number {
  const ran = () => threaded.workerChunks().reduce((a, b) => a + b, 0);
  const until = performance.now() + seconds * 1000;
  for (let s = 0; s < min || (ran() === 0 && performance.now() < until); s++) step(s);
  return ran();
}
