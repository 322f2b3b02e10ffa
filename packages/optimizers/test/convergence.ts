import { expect } from "vitest";
import { evaluate } from "@gradfold/graph";
import type { Optimizer } from "../src/index.ts";
import { run } from "./harness.ts";
import { illConditionedQuadratic, rosenbrock } from "./problems.ts";

/**
 * Runs `opt` for `budget` steps from the problem's start and asserts the iterate is
 * within `tol` of the minimum (max-norm) and the loss fell by orders of magnitude.
 */
export function expectConverges(problemName: "quadratic" | "rosenbrock", opt: Optimizer, budget: number, tol = 1e-3): void {
  const problem = problemName === "quadratic" ? illConditionedQuadratic() : rosenbrock();
  const updates = opt.updates(problem.loss, [...problem.params]);
  const state = run(updates, budget);
  const theta = state.theta;
  const error = Math.max(...problem.minimum.map((m, i) => Math.abs(theta[i] - m)));
  expect(error, `${opt.name} on ${problemName}: θ = (${theta[0]}, ${theta[1]}) after ${budget} steps`).toBeLessThan(tol);
  const start = evaluate(problem.loss)[0];
  const end = evaluate(problem.loss, { theta })[0];
  expect(end).toBeLessThan(start * 1e-4);
}
