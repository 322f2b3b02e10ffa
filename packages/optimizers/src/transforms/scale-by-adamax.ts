import { checkRange, resolveHyper } from "../hyper.ts";
import { abs, add, div, lincomb, maximum, mul, oneMinus } from "../math.ts";
import { paramSlot } from "../slots.ts";
import type { GradientTransformation, Hyper, Update } from "../types.ts";
import { biasCorrection } from "./scale-by-adam.ts";

export interface AdamaxScaleOptions {
  beta1?: Hyper;
  beta2?: Hyper;
  eps?: Hyper;
}

/**
 * Adamax's direction, Adam with the infinity norm (Kingma & Ba 2015, section 7.1;
 * torch.optim.Adamax docs):
 *
 *     m ← β₁m + (1 − β₁)g,   u ← max(β₂u, |g| + ε),   output m / ((1 − β₁ᵗ)·u)
 *
 * ε sits inside the max, as in PyTorch. Slots `<prefix>/<param>/m` and `…/u`.
 */
export function scaleByAdamax(options: AdamaxScaleOptions = {}): GradientTransformation {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = options;
  checkRange(beta1, "scaleByAdamax: beta1", 0, 1, false);
  checkRange(beta2, "scaleByAdamax: beta2", 0, 1, false);
  return {
    label: "scaleByAdamax",
    update: (updates, ctx) => {
      const b1 = resolveHyper(beta1, ctx.step, "scaleByAdamax: beta1");
      const b2 = resolveHyper(beta2, ctx.step, "scaleByAdamax: beta2");
      const e = resolveHyper(eps, ctx.step, "scaleByAdamax: eps");
      const bc1 = biasCorrection(b1, ctx.step);
      const state: Update[] = [];
      const out = updates.map((g, i) => {
        const p = ctx.params[i];
        const m = paramSlot(ctx, p, "m");
        const u = paramSlot(ctx, p, "u");
        const mNext = lincomb(b1, m, oneMinus(b1), g);
        const uNext = maximum(mul(u, b2), add(abs(g), e));
        state.push([m, mNext], [u, uNext]);
        return div(mNext, mul(uNext, bc1));
      });
      return { updates: out, state };
    },
  };
}
