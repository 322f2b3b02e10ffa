import { GraphError } from "@gradfold/graph";
import { resolveHyper } from "../hyper.ts";
import { mapUpdates } from "../chain.ts";
import { add, div, greater, maximum, minimum, mul, neg, sqrt, square, sumAll, where } from "../math.ts";
import type { FloatTensor, GradientTransformation, Hyper } from "../types.ts";

/** Clamps every update element into [-maxDelta, maxDelta] (optax `clip`, PyTorch `clip_grad_value_`). */
export function clipByValue(maxDelta: Hyper): GradientTransformation {
  if (typeof maxDelta === "number" && !(maxDelta >= 0)) throw new GraphError(`clipByValue: maxDelta must be >= 0, got ${maxDelta}`);
  return mapUpdates("clipByValue", (u, _p, ctx) => {
    const c = resolveHyper(maxDelta, ctx.step, "clipByValue: maxDelta");
    return minimum(maximum(u, typeof c === "number" ? -c : neg(c)), c);
  });
}

/** ‖(u₁, …, uₙ)‖₂ over all elements of all updates, as a scalar. */
export function globalNorm(updates: readonly FloatTensor[]): FloatTensor {
  if (updates.length === 0) throw new GraphError("globalNorm: expected at least one tensor");
  return sqrt(updates.map((u) => sumAll(square(u))).reduce((a, b) => add(a, b)));
}

/**
 * Rescales all updates together so their global L2 norm is at most `maxNorm`:
 * u ← u · maxNorm/‖u‖ when ‖u‖ > maxNorm (Pascanu et al. 2013, "On the difficulty
 * of training recurrent neural networks"; optax `clip_by_global_norm`). PyTorch's
 * `clip_grad_norm_` divides by ‖u‖ + 1e-6 instead; we follow optax, which leaves
 * updates below the threshold bit-identical.
 */
export function clipByGlobalNorm(maxNorm: Hyper): GradientTransformation {
  if (typeof maxNorm === "number" && !(maxNorm > 0)) throw new GraphError(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  return {
    label: "clipByGlobalNorm",
    update: (updates, ctx) => {
      const limit = resolveHyper(maxNorm, ctx.step, "clipByGlobalNorm: maxNorm");
      const norm = globalNorm(updates);
      // The division is only selected when norm > limit > 0, so a zero norm never divides.
      const factor = where(greater(norm, limit), div(limit, norm), 1);
      return { updates: updates.map((u) => mul(u, factor)), state: [] };
    },
  };
}
