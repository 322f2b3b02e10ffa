import { add, div, lincomb, maximum, oneMinus, pow, sqrt, square, sub } from "../math.ts";
import { checkRange, resolveHyper } from "../hyper.ts";
import { paramSlot } from "../slots.ts";
import type { FloatTensor, GradientTransformation, Hyper, Scalar, TransformContext, Update } from "../types.ts";

export interface AdamScaleOptions {
  beta1?: Hyper;
  beta2?: Hyper;
  eps?: Hyper;
  /** Keep the running maximum of v and normalise by it (Reddi et al. 2018, "On the Convergence of Adam and Beyond"). */
  amsgrad?: boolean;
}

/**
 * Adam's moment estimates for one param: m ← β₁m + (1−β₁)g and v ← β₂v + (1−β₂)g²,
 * in state slots "m" and "v"; their updates are pushed onto `state`. Shared by the
 * Adam family (Adam, AMSGrad, NAdam).
 */
export function adamMoments(
  ctx: TransformContext,
  p: FloatTensor,
  g: FloatTensor,
  b1: Scalar | number,
  b2: Scalar | number,
  state: Update[],
): { mNext: FloatTensor; vNext: FloatTensor } {
  const m = paramSlot(ctx, p, "m");
  const v = paramSlot(ctx, p, "v");
  const mNext = lincomb(b1, m, oneMinus(b1), g);
  const vNext = lincomb(b2, v, oneMinus(b2), square(g));
  state.push([m, mNext], [v, vNext]);
  return { mNext, vNext };
}

/** 1 − βᵗ for the bias correction at step t = step + 1 (the update being built). */
export function biasCorrection(beta: number | Scalar, step: Scalar): FloatTensor {
  return sub(1, pow(beta, add(step, 1)));
}

/**
 * Adam's direction (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization";
 * torch.optim.Adam docs), per element:
 *
 *     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   v̂max ← max(v̂max, v) (AMSGrad)
 *     output  (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 *
 * ε is added after the square root and after bias correction, as PyTorch does.
 * Slots: `<prefix>/<param>/m`, `…/v`, and `…/vMax` with AMSGrad.
 */
export function scaleByAdam(options: AdamScaleOptions = {}): GradientTransformation {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, amsgrad = false } = options;
  checkRange(beta1, "scaleByAdam: beta1", 0, 1, false);
  checkRange(beta2, "scaleByAdam: beta2", 0, 1, false);
  checkRange(eps, "scaleByAdam: eps", 0, Infinity);
  return {
    label: "scaleByAdam",
    update: (updates, ctx) => {
      const b1 = resolveHyper(beta1, ctx.step, "scaleByAdam: beta1");
      const b2 = resolveHyper(beta2, ctx.step, "scaleByAdam: beta2");
      const e = resolveHyper(eps, ctx.step, "scaleByAdam: eps");
      const bc1 = biasCorrection(b1, ctx.step);
      const bc2 = biasCorrection(b2, ctx.step);
      const state: Update[] = [];
      const out = updates.map((g, i) => {
        const p = ctx.params[i];
        const { mNext, vNext } = adamMoments(ctx, p, g, b1, b2, state);
        let second: FloatTensor = vNext;
        if (amsgrad) {
          const vMax = paramSlot(ctx, p, "vMax");
          second = maximum(vMax, vNext);
          state.push([vMax, second]);
        }
        // PyTorch's order: (m / bc1) / (√v / √bc2 + ε), so float32 results round as torch.optim's do.
        return div(div(mNext, bc1), add(div(sqrt(second), sqrt(bc2)), e));
      });
      return { updates: out, state };
    },
  };
}
