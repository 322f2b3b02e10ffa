import { evaluate, initialValue, type Feeds, type Sizes } from "@gradfold/graph";
import type { FloatTensor, Update } from "../src/index.ts";

/** Current values of every update target, by name, as the interpreter would be fed them. */
export type State = Record<string, Float64Array>;

const nameOf = (t: FloatTensor) => (t.is("param") ? t.params.name : String(t.id));

/** Each target's initial value, by name. */
export function initialState(updates: readonly Update[]): State {
  return Object.fromEntries(updates.map(([t]) => [nameOf(t), Float64Array.from(initialValue(t))]));
}

/**
 * One training step through the reference interpreter: every new value is
 * computed from the old state, then all are written back at once.
 */
export function step(updates: readonly Update[], state: State, inputs: Feeds = {}, sizes: Sizes = {}): State {
  const values = evaluate(
    updates.map(([, v]) => v),
    { ...inputs, ...state },
    sizes,
  );
  const next: State = { ...state };
  updates.forEach(([t], i) => {
    next[nameOf(t)] = values[i];
  });
  return next;
}

/** Runs `n` steps from `state` (default: the initial values); calls `each` after every step with the step number (1-based). */
export function run(updates: readonly Update[], n: number, options: { state?: State; inputs?: Feeds; each?: (state: State, t: number) => void } = {}): State {
  let state = options.state ?? initialState(updates);
  for (let t = 1; t <= n; t++) {
    state = step(updates, state, options.inputs);
    options.each?.(state, t);
  }
  return state;
}

/** Largest |a − b| / max(1, |b|) over two arrays of equal length. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return worst;
}
