import { chain } from "../chain.ts";
import { isNumber } from "../hyper.ts";
import { flipSign, scaleByLearningRate } from "../transforms/scale.ts";
import { addDecayedWeights } from "../transforms/weight-decay.ts";
import type { FloatTensor, GradientTransformation, Hyper } from "../types.ts";
import type { OptimizerOptions } from "../optimizer.ts";

/** Options every named optimizer takes, with PyTorch's names. */
export interface CommonOptions extends OptimizerOptions {
  lr?: Hyper;
  weightDecay?: Hyper;
  /** Which params `weightDecay` applies to; by default all. */
  decayMask?: (param: FloatTensor) => boolean;
  /** Ascend instead of descend (PyTorch `maximize`). */
  maximize?: boolean;
}

/**
 * The chain shared by PyTorch's optimizers: negate for `maximize`, fold L2 weight
 * decay into the gradient, apply `direction`, scale by −lr. Decoupled weight decay
 * (AdamW, Lion) moves the decay after the direction instead.
 */
export function descent(direction: GradientTransformation, lr: Hyper, o: CommonOptions, decoupled = false): GradientTransformation {
  const parts: GradientTransformation[] = [];
  if (o.maximize) parts.push(flipSign());
  const decay = o.weightDecay !== undefined && !isNumber(o.weightDecay, 0) ? addDecayedWeights(o.weightDecay, { mask: o.decayMask }) : null;
  if (decay && !decoupled) parts.push(decay);
  parts.push(direction);
  if (decay && decoupled) parts.push(decay);
  parts.push(scaleByLearningRate(lr));
  return chain(...parts);
}
