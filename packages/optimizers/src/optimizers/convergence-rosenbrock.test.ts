import { describe, it } from "vitest";
import { expectConverges } from "../../test/convergence.ts";
import { adadelta, adagrad, adam, adamax, adamw, cosineDecay, lion, momentum, nadam, nesterov, rmsprop, sgd, type Optimizer } from "../index.ts";

const cos = (init: number, steps: number) => cosineDecay({ init, steps });

/**
 * Rosenbrock's banana valley from (−1.2, 1) to within 1e-3 of (1, 1). The budget is
 * the stated number of steps (with some margin over what each needs). Sign- and
 * RMS-normalised methods take steps of about lr and would orbit the minimum at a
 * fixed lr, so they get a cosine-decayed one, as one would in practice.
 */
const cases: Array<[Optimizer, number]> = [
  [sgd({ lr: 0.002 }), 10000],
  [momentum({ lr: 0.003, momentum: 0.9 }), 700],
  [nesterov({ lr: 0.001, momentum: 0.9 }), 2000],
  [adagrad({ lr: 0.5 }), 10000],
  [rmsprop({ lr: cos(0.003, 8000) }), 8000],
  [rmsprop({ lr: cos(0.02, 1000), centered: true, momentum: 0.9, name: "rmsprop-centered-momentum" }), 1000],
  [adadelta({ lr: cos(1, 8000), rho: 0.99 }), 8000],
  [adam({ lr: cos(1, 2000) }), 1000],
  [adam({ lr: cos(1, 4000), amsgrad: true, name: "amsgrad" }), 1000],
  [adamw({ lr: cos(0.1, 4000), weightDecay: 1e-4 }), 2500],
  [adamax({ lr: cos(1, 4000) }), 3000],
  [nadam({ lr: cos(0.02, 8000) }), 5000],
  [lion({ lr: cos(0.005, 4000) }), 4000],
];

describe("each optimizer reaches the minimum of Rosenbrock's function", () => {
  it.each(cases.map(([opt, budget]) => [`${opt.name} within ${budget} steps`, opt, budget] as const))("%s", (_title, opt, budget) => {
    expectConverges("rosenbrock", opt, budget);
  });
});
