import { checkRange, resolveHyper } from "../hyper.ts";
import { add, div, lincomb, mul, oneMinus, sqrt, square } from "../math.ts";
import { paramSlot } from "../slots.ts";
import type { GradientTransformation, Hyper, Update } from "../types.ts";

export interface AdadeltaScaleOptions {
  /** ρ: decay of both running averages. Default 0.9 (PyTorch). */
  rho?: Hyper;
  /** Default 1e-6 (PyTorch). */
  eps?: Hyper;
}

/**
 * Adadelta's direction (Zeiler 2012, "ADADELTA: An Adaptive Learning Rate Method";
 * torch.optim.Adadelta docs):
 *
 *     v ← ρv + (1 − ρ)g²,   Δ = √(u + ε) / √(v + ε) · g,   u ← ρu + (1 − ρ)Δ²,   output Δ
 *
 * Slots `<prefix>/<param>/squareAvg` (v) and `…/accDelta` (u).
 */
export function scaleByAdadelta(options: AdadeltaScaleOptions = {}): GradientTransformation {
  const { rho = 0.9, eps = 1e-6 } = options;
  checkRange(rho, "scaleByAdadelta: rho", 0, 1);
  return {
    label: "scaleByAdadelta",
    update: (updates, ctx) => {
      const r = resolveHyper(rho, ctx.step, "scaleByAdadelta: rho");
      const e = resolveHyper(eps, ctx.step, "scaleByAdadelta: eps");
      const state: Update[] = [];
      const out = updates.map((g, i) => {
        const p = ctx.params[i];
        const v = paramSlot(ctx, p, "squareAvg");
        const u = paramSlot(ctx, p, "accDelta");
        const vNext = lincomb(r, v, oneMinus(r), square(g));
        const delta = mul(div(sqrt(add(u, e)), sqrt(add(vNext, e))), g);
        state.push([v, vNext], [u, lincomb(r, u, oneMinus(r), square(delta))]);
        return delta;
      });
      return { updates: out, state };
    },
  };
}
