import { GraphError, param, type Tensor } from "@gradfold/graph";
import { add, greaterEqual, mul, where } from "./math.ts";
import { checkParams, checkTargets, withUpdates } from "./optimizer.ts";
import { slotName } from "./slots.ts";
import type { FloatTensor, Optimizer, Update } from "./types.ts";

/**
 * Gradient accumulation over `k` steps (optax `MultiSteps`): each step adds its
 * gradient to an accumulator; every k-th step the inner optimizer runs once on the
 * mean of the k gradients, and only then do params and the inner state change.
 * Every other step leaves them as they were (a `where` on the mini-step counter), so
 * k batches of size b train like one batch of size k·b with the inner optimizer.
 * Slots: `<name>/miniStep` and `<name>/<param>/acc`; name defaults to "<inner>/accumulate".
 */
export function multiSteps(inner: Optimizer, k: number, options: { name?: string } = {}): Optimizer {
  if (!Number.isInteger(k) || k < 1) throw new GraphError(`multiSteps: k must be a positive integer, got ${k}`);
  const name = options.name ?? `${inner.name}/accumulate`;
  return withUpdates(name, (grads: readonly Tensor[], params: readonly Tensor[]): Update[] => {
    checkParams(name, params);
    if (grads.length !== params.length) throw new GraphError(`${name}: expected ${params.length} gradients, got ${grads.length}`);
    const miniStep = param(`${name}/miniStep`, [], { init: 0 }) as FloatTensor;
    const isLast = greaterEqual(miniStep, k - 1);
    const ps = params as readonly FloatTensor[];
    const accs = ps.map((p) => param(slotName(name, p, "acc"), p.shape as readonly number[], { init: 0 }) as FloatTensor);
    const sums = accs.map((a, i) => add(a, grads[i] as FloatTensor));
    const gated: Update[] = inner
      .apply(
        sums.map((s) => (k === 1 ? s : mul(s, 1 / k))),
        params,
      )
      .map(([target, value]) => [target, k === 1 ? value : where(isLast, value, target)]);
    const own: Update[] = [...accs.map((a, i): Update => [a, where(isLast, 0, sums[i])]), [miniStep, where(isLast, 0, add(miniStep, 1))]];
    const result = [...gated, ...own];
    checkTargets(name, result);
    return result;
  });
}
