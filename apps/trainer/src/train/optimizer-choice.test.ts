import { param } from "@gradfold/graph";
import * as opt from "@gradfold/optimizers";
import type { Optimizer } from "@gradfold/optimizers";
import { describe, expect, it } from "vitest";
import { defaultConfig, type TrainConfig } from "../config.ts";
import { makeOptimizer, optimizerChoices } from "./optimizer-choice.ts";
import type { UpdateRule } from "./program.ts";
import { referenceStep } from "./step.ts";

/** One step on J(p) = ½‖p‖² (gradient p) from p0; returns p after `steps` updates. */
function stepsOnQuadratic(overrides: Partial<TrainConfig>, p0: number[], steps = 1): number[] {
  return stepsWith(makeOptimizer({ ...defaultConfig, schedule: "constant" as const, ...overrides }, 10), p0, steps);
}

/** The same quadratic, stepped by any update rule (an optimizer built directly from @gradfold/optimizers too). */
function stepsWith(optimizer: UpdateRule, p0: number[], steps: number): number[] {
  const p = param("p", [p0.length], { init: p0 });
  const loss = p.square().sum().mul(0.5);
  const step = referenceStep({ inputs: [], outputs: { loss }, updates: optimizer.updates(loss, [p]), sizes: {} });
  for (let i = 0; i < steps; i++) step.run({});
  return [...step.read("p")];
}

describe("optimizer choices", () => {
  it("pass the CLI's hyperparameters through: SGD, momentum and Adam first steps by their formulas", () => {
    expect(stepsOnQuadratic({ optimizer: "sgd", lr: 0.1 }, [1, -2])).toEqual([Math.fround(0.9), Math.fround(-1.8)]);
    // Momentum (PyTorch): b1 = g, b2 = μ·b1 + g; second step p2 = p1 − lr·(μ·p0 + p1).
    const [m] = stepsOnQuadratic({ optimizer: "momentum", lr: 0.1, momentum: 0.5 }, [1], 2);
    expect(m).toBeCloseTo(0.9 - 0.1 * (0.5 * 1 + 0.9), 6);
    // Adam's first step moves each coordinate by lr·g/(|g| + eps): lr towards 0.
    const adam = stepsOnQuadratic({ optimizer: "adam", lr: 0.01 }, [3, -0.5]);
    expect(adam[0]).toBeCloseTo(2.99, 6);
    expect(adam[1]).toBeCloseTo(-0.49, 6);
  });

  it("--clip-norm rescales the whole gradient to the limit when its norm is above it", () => {
    // g = (3, 4), ‖g‖ = 5, clipped to norm 1: (0.6, 0.8); SGD with lr 1 subtracts it.
    const [a, b] = stepsOnQuadratic({ optimizer: "sgd", lr: 1, clipNorm: 1 }, [3, 4]);
    expect(a).toBeCloseTo(2.4, 6);
    expect(b).toBeCloseTo(3.2, 6);
    const [c] = stepsOnQuadratic({ optimizer: "sgd", lr: 1, clipNorm: 10 }, [3, 4]);
    expect(c).toBe(0);
  });

  it("schedules change the rate over the run: the step schedule halves it after lrStepEpochs", () => {
    // 10 steps per epoch; after the first epoch the rate is lr·gamma.
    const p = stepsOnQuadratic({ optimizer: "sgd", lr: 0.1, schedule: "step", lrGamma: 0.5, lrStepEpochs: 1 }, [1], 11);
    expect(p[0]).toBeCloseTo(0.9 ** 10 * 0.95, 5);
  });

  it("every optimizer of @gradfold/optimizers is offered under its own name, with the config's hyperparameters", () => {
    // Non-default values, so that a dropped hyperparameter shows; lr and weightDecay reach every optimizer.
    const config = { lr: 0.05, weightDecay: 0.1, momentum: 0.5, beta1: 0.8, beta2: 0.95, eps: 1e-3, alpha: 0.9 };
    const common = { lr: config.lr, weightDecay: config.weightDecay };
    const betas = { beta1: config.beta1, beta2: config.beta2 };
    const expected: Record<keyof typeof optimizerChoices, Optimizer> = {
      sgd: opt.sgd(common),
      momentum: opt.momentum({ ...common, momentum: config.momentum }),
      nesterov: opt.nesterov({ ...common, momentum: config.momentum }),
      adagrad: opt.adagrad({ ...common, eps: config.eps }),
      rmsprop: opt.rmsprop({ ...common, alpha: config.alpha, eps: config.eps }),
      adadelta: opt.adadelta({ ...common, eps: config.eps }),
      adam: opt.adam({ ...common, ...betas, eps: config.eps }),
      adamw: opt.adamw({ ...common, ...betas, eps: config.eps }),
      adamax: opt.adamax({ ...common, ...betas, eps: config.eps }),
      nadam: opt.nadam({ ...common, ...betas, eps: config.eps }),
      lion: opt.lion({ ...common, ...betas }),
    };
    expect(Object.keys(optimizerChoices).sort()).toEqual(Object.keys(expected).sort());
    const trajectories = new Set<string>();
    for (const [optimizer, reference] of Object.entries(expected) as [keyof typeof optimizerChoices, Optimizer][]) {
      const got = stepsOnQuadratic({ ...config, optimizer }, [1, -3], 3);
      expect(got, optimizer).toEqual(stepsWith(reference, [1, -3], 3));
      trajectories.add(got.join());
    }
    // Each name gives its own update rule (a table that mapped two names to one optimizer would repeat a trajectory).
    expect(trajectories.size).toBe(Object.keys(expected).length);
  });
});
