import { optimizer } from "../optimizer.ts";
import { scaleByLion } from "../transforms/scale-by-lion.ts";
import type { Hyper, Optimizer } from "../types.ts";
import { descent, type CommonOptions } from "./common.ts";

export interface LionOptions extends CommonOptions {
  beta1?: Hyper;
  beta2?: Hyper;
}

/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"). Not in
 * torch.optim; follows the paper's Algorithm 2 and optax `lion`:
 * θ ← θ − γ(sign(β₁m + (1 − β₁)g) + λθ), m ← β₂m + (1 − β₂)g, with decoupled weight
 * decay. Defaults lr 1e-4, β 0.9/0.99, weightDecay 0. State `<name>/<param>/m`.
 */
export function lion(options: LionOptions = {}): Optimizer {
  const { lr = 1e-4, name = "lion" } = options;
  return optimizer(descent(scaleByLion(options), lr, options, true), name);
}
