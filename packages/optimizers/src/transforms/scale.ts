import { resolveHyper } from "../hyper.ts";
import { mapUpdates } from "../chain.ts";
import { mul, neg } from "../math.ts";
import type { GradientTransformation, Hyper } from "../types.ts";

/** Multiplies every update by `factor` (a number, a schedule of the step, or a scalar tensor). */
export function scale(factor: Hyper): GradientTransformation {
  return mapUpdates("scale", (u, _p, ctx) => {
    const f = resolveHyper(factor, ctx.step, "scale: factor");
    return f === 1 ? u : mul(u, f);
  });
}

/**
 * Multiplies updates by `-lr`: the last link of a descent chain, since updates are
 * added to the params (optax `scale_by_learning_rate`). `lr` may be a schedule.
 */
export function scaleByLearningRate(lr: Hyper): GradientTransformation {
  return mapUpdates("scaleByLearningRate", (u, _p, ctx) => {
    const r = resolveHyper(lr, ctx.step, "scaleByLearningRate: lr");
    return typeof r === "number" ? mul(u, -r) : neg(mul(u, r));
  });
}

/** Negates the updates: put first in a chain to maximize instead of minimize (PyTorch `maximize=True`). */
export function flipSign(): GradientTransformation {
  return mapUpdates("flipSign", (u) => neg(u));
}
