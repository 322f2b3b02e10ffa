import { optimizer } from "../optimizer.ts";
import { scaleByAdam } from "../transforms/scale-by-adam.ts";
import type { Hyper, Optimizer } from "../types.ts";
import { descent, type CommonOptions } from "./common.ts";

export interface AdamOptions extends CommonOptions {
  beta1?: Hyper;
  beta2?: Hyper;
  eps?: Hyper;
  amsgrad?: boolean;
}

/**
 * Adam (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization"), as in
 * torch.optim.Adam: `weightDecay` is the coupled L2 term g ← g + λθ, AMSGrad per
 * Reddi et al. 2018. Defaults lr 1e-3, β 0.9/0.999, ε 1e-8. See `scaleByAdam`.
 * `adam(o)` is `chain(scaleByAdam(o), scaleByLearningRate(o.lr))` plus the options.
 * State: `<name>/step`, `<name>/<param>/m`, `…/v` (`…/vMax` with AMSGrad).
 */
export function adam(options: AdamOptions = {}): Optimizer {
  const { lr = 1e-3, name = "adam" } = options;
  return optimizer(descent(scaleByAdam(options), lr, options), name);
}

/**
 * AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization"), as in
 * torch.optim.AdamW: θ ← θ − γλθ, then the Adam step. Default weightDecay 1e-2.
 */
export function adamw(options: AdamOptions = {}): Optimizer {
  // `??` rather than a spread of defaults, so an explicit `undefined` still gets the default.
  const o = { ...options, weightDecay: options.weightDecay ?? 1e-2 };
  return optimizer(descent(scaleByAdam(o), o.lr ?? 1e-3, o, true), o.name ?? "adamw");
}
