import { describe, expect, it } from "vitest";
import { maxRelError, run } from "../../test/harness.ts";
import { leastSquares } from "../../test/problems.ts";
import { refAdadelta, refAdagrad, refAdam, refAdamax, refLion, refNadam, refRmsprop, refSgd, type RefStep } from "../../test/reference.ts";
import { adadelta, adagrad, adam, adamax, adamw, lion, momentum, nadam, nesterov, rmsprop, sgd, type Optimizer } from "../index.ts";

/**
 * Each optimizer, built as graph and stepped by the reference interpreter, against
 * an independent plain-JS float64 implementation of its published formula, for 10
 * steps on the same least-squares problem with the same (hand-derived) gradients.
 */
const cases: Array<[string, Optimizer, RefStep]> = [
  ["sgd", sgd({ lr: 0.1 }), refSgd({ lr: 0.1 })],
  ["sgd + weightDecay", sgd({ lr: 0.1, weightDecay: 0.05 }), refSgd({ lr: 0.1, weightDecay: 0.05 })],
  ["sgd maximize", sgd({ lr: 0.05, maximize: true, weightDecay: 0.01 }), refSgd({ lr: 0.05, maximize: true, weightDecay: 0.01 })],
  ["momentum", momentum({ lr: 0.05, momentum: 0.9 }), refSgd({ lr: 0.05, momentum: 0.9 })],
  ["momentum + dampening", momentum({ lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 }), refSgd({ lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 })],
  ["nesterov", nesterov({ lr: 0.05, momentum: 0.9, weightDecay: 0.02 }), refSgd({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.02 })],
  ["adagrad", adagrad({ lr: 0.1 }), refAdagrad({ lr: 0.1 })],
  [
    "adagrad + lrDecay, accumulator, weightDecay",
    adagrad({ lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.1, weightDecay: 0.01, eps: 1e-8 }),
    refAdagrad({ lr: 0.1, lrDecay: 0.05, initialAccumulatorValue: 0.1, weightDecay: 0.01, eps: 1e-8 }),
  ],
  ["rmsprop", rmsprop({ lr: 0.01 }), refRmsprop({ lr: 0.01 })],
  ["rmsprop centered", rmsprop({ lr: 0.01, alpha: 0.9, centered: true }), refRmsprop({ lr: 0.01, alpha: 0.9, centered: true })],
  [
    "rmsprop centered + momentum + weightDecay",
    rmsprop({ lr: 0.01, alpha: 0.95, centered: true, momentum: 0.7, weightDecay: 0.01 }),
    refRmsprop({ lr: 0.01, alpha: 0.95, centered: true, momentum: 0.7, weightDecay: 0.01 }),
  ],
  ["rmsprop + momentum", rmsprop({ lr: 0.01, momentum: 0.9 }), refRmsprop({ lr: 0.01, momentum: 0.9 })],
  ["adadelta", adadelta({}), refAdadelta({})],
  ["adadelta lr, rho, weightDecay", adadelta({ lr: 0.5, rho: 0.8, eps: 1e-5, weightDecay: 0.1 }), refAdadelta({ lr: 0.5, rho: 0.8, eps: 1e-5, weightDecay: 0.1 })],
  ["adam", adam({ lr: 0.01 }), refAdam({ lr: 0.01 })],
  [
    "adam betas, eps, weightDecay",
    adam({ lr: 0.02, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.05 }),
    refAdam({ lr: 0.02, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.05 }),
  ],
  ["adam amsgrad", adam({ lr: 0.05, beta2: 0.9, amsgrad: true }), refAdam({ lr: 0.05, beta2: 0.9, amsgrad: true })],
  ["adam maximize", adam({ lr: 0.01, maximize: true }), refAdam({ lr: 0.01, maximize: true })],
  ["adamw", adamw({ lr: 0.01 }), refAdam({ lr: 0.01, weightDecay: 1e-2, decoupled: true })],
  ["adamw amsgrad", adamw({ lr: 0.05, weightDecay: 0.1, amsgrad: true }), refAdam({ lr: 0.05, weightDecay: 0.1, decoupled: true, amsgrad: true })],
  ["adamax", adamax({}), refAdamax({ lr: 2e-3 })],
  ["adamax + weightDecay", adamax({ lr: 0.05, beta1: 0.8, beta2: 0.99, weightDecay: 0.1 }), refAdamax({ lr: 0.05, beta1: 0.8, beta2: 0.99, weightDecay: 0.1 })],
  ["nadam", nadam({ lr: 0.01 }), refNadam({ lr: 0.01 })],
  ["nadam + weightDecay", nadam({ lr: 0.01, weightDecay: 0.1, momentumDecay: 0.01 }), refNadam({ lr: 0.01, weightDecay: 0.1, momentumDecay: 0.01 })],
  ["nadam decoupled", nadam({ lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true }), refNadam({ lr: 0.01, weightDecay: 0.1, decoupled: true })],
  ["lion", lion({ lr: 0.01 }), refLion({ lr: 0.01 })],
  ["lion + weightDecay", lion({ lr: 0.01, beta1: 0.8, beta2: 0.95, weightDecay: 0.5 }), refLion({ lr: 0.01, beta1: 0.8, beta2: 0.95, weightDecay: 0.5 })],
];

describe("each optimizer follows its published formula for 10 steps", () => {
  it.each(cases)("%s", (_label, opt, reference) => {
    const problem = leastSquares();
    const updates = opt.updates(problem.loss, [...problem.params]);
    const expected = problem.initial.map((p) => Float64Array.from(p));
    run(updates, 10, {
      inputs: problem.inputs,
      each: (state, t) => {
        reference(expected, problem.gradients(expected), t);
        expect(maxRelError(state.W, expected[0]), `W at step ${t}`).toBeLessThan(1e-12);
        expect(maxRelError(state.b, expected[1]), `b at step ${t}`).toBeLessThan(1e-12);
        expect(state[`${opt.name}/step`][0]).toBe(t);
      },
    });
    // The trajectory moved: a formula that did nothing would also "match".
    expect(maxRelError(expected[0], problem.initial[0])).toBeGreaterThan(1e-4);
  });
});
