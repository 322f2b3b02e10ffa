import { isNumber, resolveHyper } from "../hyper.ts";
import { chain } from "../chain.ts";
import { add, div, mul } from "../math.ts";
import { optimizer } from "../optimizer.ts";
import { scaleByAdadelta } from "../transforms/scale-by-adadelta.ts";
import { scaleByAdamax } from "../transforms/scale-by-adamax.ts";
import { scaleByNadam } from "../transforms/scale-by-nadam.ts";
import { scaleByRms } from "../transforms/scale-by-rms.ts";
import { scaleByRss } from "../transforms/scale-by-rss.ts";
import { trace } from "../transforms/trace.ts";
import type { Hyper, Optimizer, Scalar } from "../types.ts";
import { descent, type CommonOptions } from "./common.ts";

export interface AdagradOptions extends CommonOptions {
  /** η in the decayed rate γ / (1 + (t − 1)η). Default 0. */
  lrDecay?: number;
  initialAccumulatorValue?: number;
  eps?: Hyper;
}

/**
 * AdaGrad (Duchi et al. 2011), as in torch.optim.Adagrad: g ← g + λθ, s ← s + g²,
 * θ ← θ − γ̃·g/(√s + ε) with γ̃ = γ/(1 + (t − 1)η). Defaults lr 1e-2, ε 1e-10.
 * State `<name>/<param>/sum`.
 */
export function adagrad(options: AdagradOptions = {}): Optimizer {
  const { lr = 1e-2, lrDecay = 0, name = "adagrad" } = options;
  const rate: Hyper = lrDecay === 0 ? lr : (step: Scalar) => div(resolveHyper(lr, step, "adagrad: lr"), add(mul(step, lrDecay), 1)) as Scalar;
  return optimizer(descent(scaleByRss(options), rate, options), name);
}

export interface RmspropOptions extends CommonOptions {
  alpha?: Hyper;
  eps?: Hyper;
  centered?: boolean;
  momentum?: Hyper;
}

/**
 * RMSProp (Hinton 2012; centered per Graves 2013), as in torch.optim.RMSprop:
 * v ← αv + (1 − α)g², ṽ = v − ḡ² when centered; with momentum μ > 0,
 * b ← μb + g/(√ṽ + ε) and θ ← θ − γb, else θ ← θ − γg/(√ṽ + ε).
 * Defaults lr 1e-2, α 0.99, ε 1e-8. State `<name>/<param>/squareAvg`, `…/gradAvg`, `…/momentum`.
 */
export function rmsprop(options: RmspropOptions = {}): Optimizer {
  const { lr = 1e-2, momentum = 0, name = "rmsprop" } = options;
  const rms = scaleByRms(options);
  const direction = isNumber(momentum, 0) ? rms : chain(rms, trace({ momentum }));
  return optimizer(descent(direction, lr, options), name);
}

export interface AdadeltaOptions extends CommonOptions {
  rho?: Hyper;
  eps?: Hyper;
}

/**
 * Adadelta (Zeiler 2012), as in torch.optim.Adadelta, with PyTorch's extra learning
 * rate γ on the step (default 1.0, which is Zeiler's method). Defaults ρ 0.9, ε 1e-6.
 * State `<name>/<param>/squareAvg`, `…/accDelta`.
 */
export function adadelta(options: AdadeltaOptions = {}): Optimizer {
  const { lr = 1, name = "adadelta" } = options;
  return optimizer(descent(scaleByAdadelta(options), lr, options), name);
}

export interface AdamaxOptions extends CommonOptions {
  beta1?: Hyper;
  beta2?: Hyper;
  eps?: Hyper;
}

/**
 * Adamax (Kingma & Ba 2015, section 7.1), as in torch.optim.Adamax. Defaults lr 2e-3,
 * β 0.9/0.999, ε 1e-8. State `<name>/<param>/m`, `…/u`.
 */
export function adamax(options: AdamaxOptions = {}): Optimizer {
  const { lr = 2e-3, name = "adamax" } = options;
  return optimizer(descent(scaleByAdamax(options), lr, options), name);
}

export interface NadamOptions extends AdamaxOptions {
  momentumDecay?: number;
  /** Apply weightDecay as θ ← θ(1 − γλ) (PyTorch `decoupled_weight_decay`). */
  decoupledWeightDecay?: boolean;
}

/**
 * NAdam (Dozat 2016), as in torch.optim.NAdam; see `scaleByNadam`. Defaults lr 2e-3,
 * β 0.9/0.999, ε 1e-8, momentumDecay 4e-3. State `<name>/<param>/m`, `…/v`, `<name>/muProduct`.
 */
export function nadam(options: NadamOptions = {}): Optimizer {
  const { lr = 2e-3, name = "nadam", decoupledWeightDecay = false } = options;
  return optimizer(descent(scaleByNadam(options), lr, options, decoupledWeightDecay), name);
}
