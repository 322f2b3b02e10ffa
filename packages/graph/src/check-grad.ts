import { GraphError } from "./errors.ts";
import { evaluate, evaluateValues, type Feeds, type FeedValue } from "./evaluate.ts";
import { grad } from "./grad.ts";
import { input } from "./ops/leaves.ts";
import type { Sizes } from "./shape.ts";
import type { AnyTensor } from "./tensor.ts";
import { mulberry32 as rng } from "./random.ts";

export interface CheckGradOptions {
  feeds?: Feeds;
  sizes?: Sizes;
  /** Central-difference step. */
  eps?: number;
  rtol?: number;
  atol?: number;
  /** At most this many elements of each x are checked (chosen at random, seeded). */
  maxElements?: number;
  seed?: number;
}

export interface CheckGradEntry {
  name: string;
  /**
   * Every checked element within atol + rtol·max(|analytic|, |numeric|) + the float64
   * rounding noise of the difference quotient itself (≈ (n+2)·ε·Σ|r|(|y⁺|+|y⁻|) / 2eps
   * over the outputs that moved; it only matters when they are large next to the
   * derivative being checked).
   */
  ok: boolean;
  checked: number;
  maxAbsError: number;
  maxRelError: number;
  /** Worst element: its index, the symbolic and the numeric derivative. */
  worst: { index: number; analytic: number; numeric: number } | null;
}

export interface CheckGradReport {
  ok: boolean;
  entries: CheckGradEntry[];
}

/**
 * Compares grad(y, xs) with central finite differences in float64. A non-scalar y
 * is projected on a fixed random direction r, so the checked function is Σ r⊙y.
 * Each x must be an input or a param (its value is perturbed through the feeds).
 */
export function checkGrad(y: AnyTensor, xs: readonly AnyTensor[], options: CheckGradOptions = {}): CheckGradReport {
  const { feeds = {}, sizes = {}, eps = 1e-6, rtol = 1e-6, atol = 1e-7, maxElements = 64, seed = 1 } = options;
  const random = rng(seed);
  for (const x of xs) {
    if (!x.is("input") && !x.is("param")) throw new GraphError(`checkGrad: each x must be an input or a param, got ${x.op}`);
  }
  const values = evaluateValues([y, ...xs], feeds, sizes);
  const yValue = values.get(y)!;
  const direction = Float64Array.from(yValue.data, () => random() * 2 - 1);
  const seedInput = input("__checkGrad_direction", y.shape);
  const grads = grad(y, xs, seedInput);
  const baseFeeds: Record<string, FeedValue> = { ...feeds };
  for (const x of xs) baseFeeds[(x.params as { name: string }).name] = values.get(x)!.data;
  const analytic = evaluate(grads, { ...baseFeeds, __checkGrad_direction: direction }, sizes);

  /**
   * Σ r⊙(y⁺ − y⁻), differencing element by element first: outputs the perturbation does
   * not reach cancel exactly, so a large y elsewhere adds no rounding noise. Also the
   * bound on the rounding noise of what is left.
   */
  const projectedDifference = (plusFeeds: Record<string, FeedValue>, minusFeeds: Record<string, FeedValue>) => {
    const plus = evaluate(y, plusFeeds, sizes);
    const minus = evaluate(y, minusFeeds, sizes);
    let difference = 0;
    let magnitude = 0;
    for (let i = 0; i < plus.length; i++) {
      if (plus[i] === minus[i]) continue;
      difference += direction[i] * (plus[i] - minus[i]);
      magnitude += Math.abs(direction[i]) * (Math.abs(plus[i]) + Math.abs(minus[i]));
    }
    return { difference, noise: (plus.length + 2) * Number.EPSILON * magnitude };
  };

  const entries = xs.map((x, xi): CheckGradEntry => {
    const name = (x.params as { name: string }).name;
    const base = values.get(x)!.data;
    const all = Array.from(base, (_, i) => i);
    const indices = all.length <= maxElements ? all : shuffle(all, random).slice(0, maxElements);
    const entry: CheckGradEntry = { name, ok: true, checked: indices.length, maxAbsError: 0, maxRelError: 0, worst: null };
    let worstExcess = Number.NEGATIVE_INFINITY;
    for (const i of indices) {
      const up = Float64Array.from(base);
      up[i] = base[i] + eps;
      const down = Float64Array.from(base);
      down[i] = base[i] - eps;
      const { difference, noise } = projectedDifference({ ...baseFeeds, [name]: up }, { ...baseFeeds, [name]: down });
      const numeric = difference / (2 * eps);
      const roundoff = noise / (2 * eps);
      const a = analytic[xi][i];
      const err = Math.abs(a - numeric);
      const rel = err / Math.max(Math.abs(a), Math.abs(numeric), 1e-300);
      const excess = err - (atol + rtol * Math.max(Math.abs(a), Math.abs(numeric)) + roundoff);
      entry.maxAbsError = Math.max(entry.maxAbsError, Number.isNaN(err) ? Number.POSITIVE_INFINITY : err);
      entry.maxRelError = Math.max(entry.maxRelError, Number.isNaN(rel) ? Number.POSITIVE_INFINITY : err === 0 ? 0 : rel);
      if (Number.isNaN(excess) || excess > worstExcess) {
        worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
        entry.worst = { index: i, analytic: a, numeric };
      }
    }
    entry.ok = worstExcess <= 0;
    return entry;
  });
  return { ok: entries.every((e) => e.ok), entries };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
