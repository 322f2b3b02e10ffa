import { GraphError } from "@gradfold/graph";
import { add, asScalar, div, greaterEqual, mul, sub, where } from "../math.ts";
import type { FloatTensor, Scalar, Schedule } from "../types.ts";
import { joinSchedules, linearSchedule } from "./basic.ts";
import { cosPi, floorDiv, MAX_STEP } from "./scalar-math.ts";

/** min + ½(max − min)(1 + cos(π·p)) for p in [0, 1]: the annealing curve shared by the cosine schedules. */
export function cosineAnneal(max: number, min: number, p: Scalar): Scalar {
  return asScalar(add(mul(add(cosPi(p), 1), 0.5 * (max - min)), min));
}

/**
 * Cosine annealing from `init` to `min` (default 0) over `steps` (Loshchilov & Hutter
 * 2017, "SGDR: Stochastic Gradient Descent with Warm Restarts"; closed form of
 * torch.optim.lr_scheduler.CosineAnnealingLR): min + ½(init − min)(1 + cos(πt/steps)).
 * Held at `min` after `steps`, as optax `cosine_decay_schedule` does; PyTorch's
 * closed form would rise again.
 */
export function cosineDecay(o: { init: number; steps: number; min?: number }): Schedule {
  if (!(o.steps > 0)) throw new GraphError(`cosineDecay: steps must be > 0, got ${o.steps}`);
  return (t) => cosineAnneal(o.init, o.min ?? 0, asScalar(div(t, o.steps)));
}

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017;
 * torch.optim.lr_scheduler.CosineAnnealingWarmRestarts): cycle i lasts
 * Tᵢ = period·multᵢ steps, and within it lr = min + ½(init − min)(1 + cos(π·T_cur/Tᵢ)).
 * `mult` is a positive integer (default 1), as in PyTorch.
 */
export function cosineWarmRestarts(o: { init: number; period: number; mult?: number; min?: number }): Schedule {
  const { init, period, mult = 1, min = 0 } = o;
  if (!Number.isInteger(period) || period < 1) throw new GraphError(`cosineWarmRestarts: period must be a positive integer, got ${period}`);
  if (!Number.isInteger(mult) || mult < 1) throw new GraphError(`cosineWarmRestarts: mult must be a positive integer, got ${mult}`);
  if (mult === 1) {
    return (t) => {
      const sinceRestart = sub(t, mul(floorDiv(t, period), period));
      return cosineAnneal(init, min, asScalar(div(sinceRestart, period)));
    };
  }
  return (t) => {
    // Cycle starts period·(multᵏ − 1)/(mult − 1) below 2²⁴: at most 24 of them.
    let start: FloatTensor | number = 0;
    let length: FloatTensor | number = period;
    for (let begin = period, len = period * mult; begin < MAX_STEP; begin += len, len *= mult) {
      const inCycle = greaterEqual(t, begin);
      start = where(inCycle, begin, start);
      length = where(inCycle, len, length);
    }
    return cosineAnneal(init, min, asScalar(div(sub(t, start), length)));
  };
}

/**
 * Linear warmup from `from` (default 0) to `peak` over `warmupSteps`, then cosine decay
 * to `end` (default 0) over the remaining `totalSteps − warmupSteps` (optax
 * `warmup_cosine_decay_schedule`).
 */
export function warmupCosineDecay(o: { peak: number; warmupSteps: number; totalSteps: number; from?: number; end?: number }): Schedule {
  if (!(o.totalSteps > o.warmupSteps)) throw new GraphError(`warmupCosineDecay: totalSteps must exceed warmupSteps`);
  const decay = cosineDecay({ init: o.peak, steps: o.totalSteps - o.warmupSteps, min: o.end ?? 0 });
  if (o.warmupSteps === 0) return decay;
  return joinSchedules([linearSchedule({ from: o.from ?? 0, to: o.peak, steps: o.warmupSteps }), decay], [o.warmupSteps]);
}
