import { checkRange, resolveHyper } from "../hyper.ts";
import { add, div, mul, oneMinus, pow, sqrt, sub } from "../math.ts";
import { sharedSlot } from "../slots.ts";
import type { GradientTransformation, Hyper, Scalar, Update } from "../types.ts";
import { adamMoments, biasCorrection } from "./scale-by-adam.ts";

export interface NadamScaleOptions {
  beta1?: Hyper;
  beta2?: Hyper;
  eps?: Hyper;
  /** ψ in the momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)). Default 4e-3 (PyTorch). */
  momentumDecay?: number;
}

/**
 * NAdam's direction (Dozat 2016, "Incorporating Nesterov Momentum into Adam";
 * torch.optim.NAdam docs), with the momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)):
 *
 *     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   Πₜ = Πₜ₋₁·μₜ
 *     output  [μₜ₊₁·m / (1 − Πₜ·μₜ₊₁) + (1 − μₜ)·g / (1 − Πₜ)] / (√(v / (1 − β₂ᵗ)) + ε)
 *
 * Slots `<prefix>/<param>/m`, `…/v` and the shared product `<prefix>/muProduct` (PyTorch
 * keeps one per param; they are always equal).
 */
export function scaleByNadam(options: NadamScaleOptions = {}): GradientTransformation {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, momentumDecay = 4e-3 } = options;
  checkRange(beta1, "scaleByNadam: beta1", 0, 1, false);
  checkRange(beta2, "scaleByNadam: beta2", 0, 1, false);
  return {
    label: "scaleByNadam",
    update: (updates, ctx) => {
      const b1 = resolveHyper(beta1, ctx.step, "scaleByNadam: beta1");
      const b2 = resolveHyper(beta2, ctx.step, "scaleByNadam: beta2");
      const e = resolveHyper(eps, ctx.step, "scaleByNadam: eps");
      const t = add(ctx.step, 1) as Scalar;
      const muAt = (k: Scalar) => mul(b1, sub(1, mul(pow(0.96, mul(k, momentumDecay)), 0.5)));
      const mu = muAt(t);
      const muNext = muAt(add(t, 1) as Scalar);
      const product = sharedSlot(ctx, "muProduct", 1);
      const productNext = mul(product, mu);
      const gradCoef = div(oneMinus(mu), sub(1, productNext));
      const momentumCoef = div(muNext, sub(1, mul(productNext, muNext)));
      const bc2 = biasCorrection(b2, ctx.step);
      const state: Update[] = [[product, productNext]];
      const out = updates.map((g, i) => {
        const p = ctx.params[i];
        const { mNext, vNext } = adamMoments(ctx, p, g, b1, b2, state);
        return div(add(mul(mNext, momentumCoef), mul(g, gradCoef)), add(sqrt(div(vNext, bc2)), e));
      });
      return { updates: out, state };
    },
  };
}
