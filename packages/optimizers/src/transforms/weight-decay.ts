import { resolveHyper } from "../hyper.ts";
import { mapUpdates } from "../chain.ts";
import { add, mul } from "../math.ts";
import type { FloatTensor, GradientTransformation, Hyper } from "../types.ts";

export interface DecayOptions {
  /** Which params decay; by default all. Biases and norm gains are often left out. */
  mask?: (param: FloatTensor) => boolean;
}

/**
 * Adds `weightDecay · θ` to each update (optax `add_decayed_weights`). Placed before a
 * scaling transform it is the classic L2 penalty folded into the gradient (PyTorch's
 * `weight_decay` in SGD and Adam); placed after it, just before the learning rate, it
 * is decoupled weight decay θ ← θ − lr·λ·θ (Loshchilov & Hutter 2019, AdamW).
 */
export function addDecayedWeights(weightDecay: Hyper, options: DecayOptions = {}): GradientTransformation {
  return mapUpdates("addDecayedWeights", (u, p, ctx) => {
    if (options.mask && !options.mask(p)) return u;
    const wd = resolveHyper(weightDecay, ctx.step, "addDecayedWeights: weightDecay");
    return wd === 0 ? u : add(u, mul(p, wd));
  });
}
