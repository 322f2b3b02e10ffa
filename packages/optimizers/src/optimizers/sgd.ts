import { identity } from "../chain.ts";
import { isNumber } from "../hyper.ts";
import { optimizer } from "../optimizer.ts";
import { trace } from "../transforms/trace.ts";
import type { Hyper, Optimizer } from "../types.ts";
import { descent, type CommonOptions } from "./common.ts";

export interface SgdOptions extends CommonOptions {
  /** μ; 0 (the default) is plain SGD. */
  momentum?: Hyper;
  /** τ, damping the gradient's share of the momentum buffer. Default 0. */
  dampening?: Hyper;
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent as in torch.optim.SGD (Robbins & Monro 1951; momentum
 * per Polyak 1964 in PyTorch's form, see `trace`):
 *
 *     g ← ∇θ + λθ;   b ← μb + (1 − τ)g (b₁ = g);   g ← g + μb (Nesterov) or b;   θ ← θ − γg
 *
 * Defaults follow PyTorch: lr 1e-3, no momentum, no weight decay. State: `<name>/step`
 * and, with momentum, `<name>/<param>/momentum`.
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  const { lr = 1e-3, momentum = 0, dampening = 0, nesterov = false, name = "sgd" } = options;
  const direction = isNumber(momentum, 0) && !nesterov ? identity() : trace({ momentum, dampening, nesterov });
  return optimizer(descent(direction, lr, options), name);
}

/** SGD with heavy-ball momentum (PyTorch form): `sgd` with `momentum` defaulting to 0.9. State `<name>/<param>/momentum`. */
export function momentum(options: SgdOptions = {}): Optimizer {
  return sgd({ ...options, momentum: options.momentum ?? 0.9, name: options.name ?? "momentum" });
}

/**
 * SGD with Nesterov momentum in PyTorch's form (Sutskever et al. 2013): θ ← θ − γ(g + μb)
 * with b ← μb + g. `momentum` defaults to 0.9.
 */
export function nesterov(options: SgdOptions = {}): Optimizer {
  return sgd({ ...options, momentum: options.momentum ?? 0.9, name: options.name ?? "nesterov", nesterov: true });
}
