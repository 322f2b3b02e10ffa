import { checkRange, resolveHyper } from "../hyper.ts";
import { add, div, lincomb, oneMinus, sqrt, square, sub } from "../math.ts";
import { paramSlot } from "../slots.ts";
import type { GradientTransformation, Hyper, Update } from "../types.ts";

export interface RmsScaleOptions {
  /** α: decay of the running average of g². Default 0.99 (PyTorch). */
  alpha?: Hyper;
  eps?: Hyper;
  /** Normalise by the running variance v − ḡ² instead of v (Graves 2013, "Generating Sequences With Recurrent Neural Networks"). */
  centered?: boolean;
}

/**
 * RMSProp's direction (Hinton, Lecture 6e of "Neural Networks for Machine Learning",
 * 2012; torch.optim.RMSprop docs):
 *
 *     v ← αv + (1 − α)g²,   ḡ ← αḡ + (1 − α)g (centered),   output g / (√(v − ḡ²) + ε)
 *
 * Slots `<prefix>/<param>/squareAvg` and, when centered, `…/gradAvg`. RMSProp's
 * momentum is `trace({ momentum })` chained after this transform, as in PyTorch.
 */
export function scaleByRms(options: RmsScaleOptions = {}): GradientTransformation {
  const { alpha = 0.99, eps = 1e-8, centered = false } = options;
  checkRange(alpha, "scaleByRms: alpha", 0, 1);
  return {
    label: "scaleByRms",
    update: (updates, ctx) => {
      const a = resolveHyper(alpha, ctx.step, "scaleByRms: alpha");
      const e = resolveHyper(eps, ctx.step, "scaleByRms: eps");
      const state: Update[] = [];
      const out = updates.map((g, i) => {
        const p = ctx.params[i];
        const v = paramSlot(ctx, p, "squareAvg");
        const vNext = lincomb(a, v, oneMinus(a), square(g));
        state.push([v, vNext]);
        let variance = vNext;
        if (centered) {
          const mean = paramSlot(ctx, p, "gradAvg");
          const meanNext = lincomb(a, mean, oneMinus(a), g);
          state.push([mean, meanNext]);
          variance = sub(vNext, square(meanNext));
        }
        return div(g, add(sqrt(variance), e));
      });
      return { updates: out, state };
    },
  };
}
