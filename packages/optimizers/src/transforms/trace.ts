import { GraphError } from "@gradfold/graph";
import { isNumber, resolveHyper } from "../hyper.ts";
import { add, equal, lincomb, mul, oneMinus, where } from "../math.ts";
import { paramSlot } from "../slots.ts";
import type { GradientTransformation, Hyper, Update } from "../types.ts";

export interface TraceOptions {
  /** μ: the momentum factor. */
  momentum: Hyper;
  /** τ: dampening of the new gradient's share, (1 − τ)·g. Default 0. */
  dampening?: Hyper;
  /** Nesterov's look-ahead: output g + μ·b instead of b. Default false. */
  nesterov?: boolean;
  /** State key; the buffer is `<prefix>/<param>/<key>`. Default "momentum". */
  key?: string;
}

/**
 * Momentum in PyTorch's SGD form (torch.optim.SGD docs; Polyak 1964 heavy ball;
 * Nesterov per Sutskever et al. 2013, "On the importance of initialization and
 * momentum in deep learning"):
 *
 *     b₁ = g₁,  bₜ = μ·bₜ₋₁ + (1 − τ)·gₜ;   output  gₜ + μ·bₜ (Nesterov)  or  bₜ.
 *
 * The first step copies g (no dampening), as PyTorch does; with τ = 0 that equals
 * the recurrence from b₀ = 0, so the `where` on the step is only built when τ ≠ 0.
 */
export function trace(options: TraceOptions): GradientTransformation {
  const { momentum, dampening = 0, nesterov = false, key = "momentum" } = options;
  if (nesterov && (isNumber(momentum, 0) || !isNumber(dampening, 0))) {
    throw new GraphError("trace: Nesterov momentum requires a momentum > 0 and zero dampening (as in torch.optim.SGD)");
  }
  return {
    label: "trace",
    update: (updates, ctx) => {
      const mu = resolveHyper(momentum, ctx.step, "trace: momentum");
      const tau = resolveHyper(dampening, ctx.step, "trace: dampening");
      const state: Update[] = [];
      const out = updates.map((g, i) => {
        const buf = paramSlot(ctx, ctx.params[i], key);
        const keep = oneMinus(tau);
        let next = lincomb(mu, buf, keep, g);
        if (tau !== 0) next = where(equal(ctx.step, 0), g, next);
        state.push([buf, next]);
        return nesterov ? add(g, mul(next, mu)) : next;
      });
      return { updates: out, state };
    },
  };
}
