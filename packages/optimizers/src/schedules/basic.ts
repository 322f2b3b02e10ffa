import { GraphError, scalar } from "@gradfold/graph";
import { add, asScalar, div, greaterEqual, mul, pow, sub, where } from "../math.ts";
import type { FloatTensor, Schedule } from "../types.ts";
import { clamp, floorDiv } from "./scalar-math.ts";

/** The same value at every step. */
export function constantSchedule(value: number): Schedule {
  return () => scalar(value);
}

/** init·γᵗ (torch.optim.lr_scheduler.ExponentialLR). */
export function exponentialDecay(o: { init: number; gamma: number }): Schedule {
  return (t) => asScalar(mul(pow(o.gamma, t), o.init));
}

/** init·γ^⌊t / stepSize⌋ (torch.optim.lr_scheduler.StepLR). Default γ 0.1. */
export function stepDecay(o: { init: number; stepSize: number; gamma?: number }): Schedule {
  const gamma = o.gamma ?? 0.1;
  return (t) => asScalar(mul(pow(gamma, floorDiv(t, o.stepSize)), o.init));
}

/** init·γ^(number of milestones ≤ t) (torch.optim.lr_scheduler.MultiStepLR). Default γ 0.1. */
export function multiStepDecay(o: { init: number; milestones: readonly number[]; gamma?: number }): Schedule {
  const gamma = o.gamma ?? 0.1;
  return (t) => {
    let passed: FloatTensor | number = 0;
    for (const m of o.milestones) passed = add(passed, where(greaterEqual(t, m), 1, 0));
    return asScalar(mul(pow(gamma, passed), o.init));
  };
}

/**
 * Linear interpolation from `from` to `to` over `steps` steps, then held at `to`
 * (optax `linear_schedule`; PyTorch LinearLR with factors in place of values).
 */
export function linearSchedule(o: { from: number; to: number; steps: number }): Schedule {
  if (!(o.steps > 0)) throw new GraphError(`linearSchedule: steps must be > 0, got ${o.steps}`);
  return (t) => asScalar(add(mul(clamp(asScalar(div(t, o.steps)), 0, 1), o.to - o.from), o.from));
}

/**
 * Follows `schedules[0]` until `boundaries[0]`, then `schedules[1]` restarted at
 * step 0, and so on (optax `join_schedules`, PyTorch SequentialLR).
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  if (schedules.length !== boundaries.length + 1) {
    throw new GraphError(`joinSchedules: expected ${boundaries.length + 1} schedules for ${boundaries.length} boundaries, got ${schedules.length}`);
  }
  boundaries.forEach((b, i) => {
    if (!(b >= 0) || (i > 0 && !(b > boundaries[i - 1]))) throw new GraphError(`joinSchedules: boundaries must increase from 0, got ${JSON.stringify(boundaries)}`);
  });
  return (t) => {
    let value = schedules[0](t);
    boundaries.forEach((b, i) => {
      value = asScalar(where(greaterEqual(t, b), schedules[i + 1](asScalar(sub(t, b))), value));
    });
    return value;
  };
}

/**
 * Linear warmup from `from` (default 0) to `peak` over `steps`, then `after` (default:
 * hold `peak`) restarted at step 0 (Goyal et al. 2017, "Accurate, Large Minibatch SGD").
 */
export function linearWarmup(o: { peak: number; steps: number; from?: number; after?: Schedule }): Schedule {
  const ramp = linearSchedule({ from: o.from ?? 0, to: o.peak, steps: o.steps });
  return joinSchedules([ramp, o.after ?? constantSchedule(o.peak)], [o.steps]);
}
