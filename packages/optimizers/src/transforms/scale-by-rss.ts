import { resolveHyper } from "../hyper.ts";
import { add, div, sqrt, square } from "../math.ts";
import { paramSlot } from "../slots.ts";
import type { GradientTransformation, Hyper, Update } from "../types.ts";

export interface RssScaleOptions {
  /** Starting value of the sum of squares. Default 0 (PyTorch; optax uses 0.1). */
  initialAccumulatorValue?: number;
  /** Default 1e-10 (PyTorch). */
  eps?: Hyper;
}

/**
 * AdaGrad's direction (Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for
 * Online Learning and Stochastic Optimization"; torch.optim.Adagrad docs):
 *
 *     s ← s + g²,   output g / (√s + ε)
 *
 * Slot `<prefix>/<param>/sum`.
 */
export function scaleByRss(options: RssScaleOptions = {}): GradientTransformation {
  const { initialAccumulatorValue = 0, eps = 1e-10 } = options;
  return {
    label: "scaleByRss",
    update: (updates, ctx) => {
      const e = resolveHyper(eps, ctx.step, "scaleByRss: eps");
      const state: Update[] = [];
      const out = updates.map((g, i) => {
        const s = paramSlot(ctx, ctx.params[i], "sum", initialAccumulatorValue);
        const sNext = add(s, square(g));
        state.push([s, sNext]);
        return div(g, add(sqrt(sNext), e));
      });
      return { updates: out, state };
    },
  };
}
