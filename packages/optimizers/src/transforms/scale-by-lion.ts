import { checkRange, resolveHyper } from "../hyper.ts";
import { lincomb, oneMinus, sign } from "../math.ts";
import { paramSlot } from "../slots.ts";
import type { GradientTransformation, Hyper, Update } from "../types.ts";

export interface LionScaleOptions {
  /** Interpolation between momentum and gradient for the sign. Default 0.9. */
  beta1?: Hyper;
  /** Decay of the momentum. Default 0.99. */
  beta2?: Hyper;
}

/**
 * Lion's direction (Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms", Algorithm 2; optax `scale_by_lion`). Not part of torch.optim:
 *
 *     c = β₁m + (1 − β₁)g,   output sign(c),   m ← β₂m + (1 − β₂)g
 *
 * Slot `<prefix>/<param>/m`.
 */
export function scaleByLion(options: LionScaleOptions = {}): GradientTransformation {
  const { beta1 = 0.9, beta2 = 0.99 } = options;
  checkRange(beta1, "scaleByLion: beta1", 0, 1);
  checkRange(beta2, "scaleByLion: beta2", 0, 1);
  return {
    label: "scaleByLion",
    update: (updates, ctx) => {
      const b1 = resolveHyper(beta1, ctx.step, "scaleByLion: beta1");
      const b2 = resolveHyper(beta2, ctx.step, "scaleByLion: beta2");
      const state: Update[] = [];
      const out = updates.map((g, i) => {
        const m = paramSlot(ctx, ctx.params[i], "m");
        state.push([m, lincomb(b2, m, oneMinus(b2), g)]);
        return sign(lincomb(b1, m, oneMinus(b1), g));
      });
      return { updates: out, state };
    },
  };
}
