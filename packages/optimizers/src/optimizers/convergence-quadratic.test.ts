import { describe, it } from "vitest";
import { expectConverges } from "../../test/convergence.ts";
import { adadelta, adagrad, adam, adamax, adamw, cosineDecay, lion, momentum, nadam, nesterov, rmsprop, sgd, type Optimizer } from "../index.ts";

const cos = (init: number, steps: number) => cosineDecay({ init, steps });

/**
 * ½(θ − c)ᵀA(θ − c) with condition number 100, from (−2, 4) to within 1e-3 of
 * c = (1, 2). The budget is the stated number of steps each optimizer gets (about
 * 1.2–2× what it needs with these hyperparameters, so the test is not on a cliff).
 */
const cases: Array<[Optimizer, number]> = [
  [sgd({ lr: 0.019 }), 500],
  [momentum({ lr: 0.003, momentum: 0.9 }), 200],
  [nesterov({ lr: cos(0.005, 500), momentum: 0.9 }), 200],
  [adagrad({ lr: 1 }), 800],
  [rmsprop({ lr: cos(0.03, 1000) }), 1000],
  [rmsprop({ lr: cos(0.1, 1000), centered: true, momentum: 0.9, name: "rmsprop-centered-momentum" }), 300],
  [adadelta({ lr: cos(1, 2000) }), 2000],
  [adam({ lr: cos(0.5, 500) }), 300],
  [adam({ lr: cos(0.5, 500), amsgrad: true, name: "amsgrad" }), 300],
  [adamw({ lr: cos(0.5, 500), weightDecay: 1e-4 }), 300],
  [adamax({ lr: cos(1, 4000) }), 400],
  [nadam({ lr: cos(0.3, 1000) }), 200],
  [lion({ lr: cos(0.05, 500) }), 500],
];

describe("each optimizer reaches the minimum of a badly conditioned quadratic", () => {
  it.each(cases.map(([opt, budget]) => [`${opt.name} within ${budget} steps`, opt, budget] as const))("%s", (_title, opt, budget) => {
    expectConverges("quadratic", opt, budget);
  });
});
