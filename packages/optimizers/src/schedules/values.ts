import { evaluate, input } from "@gradfold/graph";
import type { Scalar, Schedule } from "../types.ts";

/** The values of a schedule at the given steps, by the float64 reference interpreter (for plots and tests). */
export function scheduleValues(schedule: Schedule, steps: readonly number[]): number[] {
  const step = input("step", []) as Scalar;
  const value = schedule(step);
  return steps.map((s) => evaluate(value, { step: [s] })[0]);
}
