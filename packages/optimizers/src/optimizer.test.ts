import { describe, expect, it } from "vitest";
import { evaluate, grad, input, param, type Tensor } from "@gradfold/graph";
import { maxRelError, run, type State } from "../test/harness.ts";
import { leastSquares } from "../test/problems.ts";
import { refAdam, refSgd } from "../test/reference.ts";
import {
  adam,
  adamw,
  addDecayedWeights,
  chain,
  clipByGlobalNorm,
  constantSchedule,
  exponentialDecay,
  lion,
  mapUpdates,
  masked,
  momentum,
  nesterov,
  oneCycle,
  oneCycleMomentum,
  optimizer,
  rmsprop,
  scaleByAdam,
  scaleByLearningRate,
  scaleByLion,
  scaleByRms,
  scheduleValues,
  scoped,
  sgd,
  stepDecay,
  targetNamed,
  trace,
  type FloatTensor,
  type Optimizer,
  type Scalar,
} from "./index.ts";

/** Params and state after `n` steps of `opt` on the least-squares problem. */
function trajectory(opt: Optimizer, n = 10, extraInputs: (t: number) => Record<string, number[]> = () => ({})): State[] {
  const problem = leastSquares();
  const updates = opt.updates(problem.loss, [...problem.params]);
  const states: State[] = [];
  let state: State | undefined;
  for (let t = 1; t <= n; t++) {
    state = run(updates, 1, { state, inputs: { ...problem.inputs, ...extraInputs(t) } });
    states.push(state);
  }
  return states;
}

function expectSameTrajectory(a: State[], b: State[], tol = 0) {
  a.forEach((s, t) => {
    for (const key of ["W", "b"]) expect(maxRelError(s[key], b[t][key]), `${key} at step ${t + 1}`).toBeLessThanOrEqual(tol);
  });
}

describe("composition via chain equals the named optimizer", () => {
  const o = { lr: 0.02, beta1: 0.8, beta2: 0.99, eps: 1e-7 };
  it.each<[string, Optimizer, Optimizer]>([
    ["adam", adam(o), optimizer(chain(scaleByAdam(o), scaleByLearningRate(o.lr)), "adam")],
    ["adamw", adamw({ ...o, weightDecay: 0.1 }), optimizer(chain(scaleByAdam(o), addDecayedWeights(0.1), scaleByLearningRate(o.lr)), "adamw")],
    ["momentum", momentum({ lr: 0.05, momentum: 0.9 }), optimizer(chain(trace({ momentum: 0.9 }), scaleByLearningRate(0.05)), "momentum")],
    [
      "rmsprop + momentum",
      rmsprop({ lr: 0.01, momentum: 0.5, centered: true }),
      optimizer(chain(scaleByRms({ centered: true }), trace({ momentum: 0.5 }), scaleByLearningRate(0.01)), "rmsprop"),
    ],
    ["lion", lion({ lr: 0.01, weightDecay: 0.2 }), optimizer(chain(scaleByLion(), addDecayedWeights(0.2), scaleByLearningRate(0.01)), "lion")],
  ])("%s", (_name, named, chained) => {
    const a = trajectory(named);
    const b = trajectory(chained);
    expectSameTrajectory(a, b);
    // Same slots under the same names, with the same values.
    expect(Object.keys(a[9]).sort()).toEqual(Object.keys(b[9]).sort());
    for (const key of Object.keys(a[9])) expect([...a[9][key]]).toEqual([...b[9][key]]);
  });

  it("the issue's chain (clip, decay, Adam, scheduled lr) follows a hand-written loop", () => {
    const lr = (s: number) => 0.05 * 0.9 ** s;
    const composed = optimizer(chain(clipByGlobalNorm(1), addDecayedWeights(1e-2), scaleByAdam(), scaleByLearningRate(exponentialDecay({ init: 0.05, gamma: 0.9 }))), "custom");
    const problem = leastSquares();
    const expected = problem.initial.map((p) => Float64Array.from(p));
    const adamRef = refAdam({ lr });
    const states = trajectory(composed);
    states.forEach((state, i) => {
      const grads = problem.gradients(expected);
      const norm = Math.hypot(...grads.flatMap((g) => [...g]));
      const clipped = grads.map((g) => g.map((v) => (norm > 1 ? v / norm : v)));
      const decayed = clipped.map((g, k) => g.map((v, j) => v + 1e-2 * expected[k][j]));
      adamRef(expected, decayed, i + 1);
      expect(maxRelError(state.W, expected[0])).toBeLessThan(1e-12);
      expect(maxRelError(state.b, expected[1])).toBeLessThan(1e-12);
    });
  });
});

describe("hyperparameters take numbers, schedules or scalar tensors", () => {
  it("a scheduled learning rate follows the schedule step by step", () => {
    const lr = (s: number) => 0.2 * 0.5 ** Math.floor(s / 3);
    const problem = leastSquares();
    const ref = problem.initial.map((p) => Float64Array.from(p));
    const step = refSgd({ lr, momentum: 0.9 });
    trajectory(momentum({ lr: stepDecay({ init: 0.2, stepSize: 3, gamma: 0.5 }), momentum: 0.9 })).forEach((state, i) => {
      step(ref, problem.gradients(ref), i + 1);
      expect(maxRelError(state.W, ref[0])).toBeLessThan(1e-12);
    });
  });

  it("a scalar input tensor as lr is read from the feeds each step", () => {
    const lrs = [0.1, 0.3, 0.05, 0.2, 0.1];
    const problem = leastSquares();
    const ref = problem.initial.map((p) => Float64Array.from(p));
    const step = refSgd({ lr: (s) => lrs[s] });
    const opt = sgd({ lr: input("lr", []) as Scalar });
    trajectory(opt, 5, (t) => ({ lr: [lrs[t - 1]] })).forEach((state, i) => {
      step(ref, problem.gradients(ref), i + 1);
      expect(maxRelError(state.W, ref[0])).toBeLessThan(1e-12);
    });
  });

  it("a scheduled beta1 (one-cycle momentum) follows PyTorch's rule of using the current β₁ in the bias correction", () => {
    const shape = { totalSteps: 10, pctStart: 0.3 };
    const lrValues = scheduleValues(oneCycle({ maxLr: 0.05, ...shape }), [...Array(10).keys()]);
    const betaValues = scheduleValues(oneCycleMomentum(shape), [...Array(10).keys()]);
    const problem = leastSquares();
    const ref = problem.initial.map((p) => Float64Array.from(p));
    const step = refAdam({ lr: (s) => lrValues[s], beta1: (s) => betaValues[s] });
    trajectory(adam({ lr: oneCycle({ maxLr: 0.05, ...shape }), beta1: oneCycleMomentum(shape) })).forEach((state, i) => {
      step(ref, problem.gradients(ref), i + 1);
      expect(maxRelError(state.W, ref[0])).toBeLessThan(1e-12);
    });
    expect(betaValues[0]).toBeCloseTo(0.95, 12);
    expect(Math.min(...betaValues)).toBeLessThan(0.86);
  });

  it("every hyperparameter accepts a schedule: constant schedules reproduce plain numbers", () => {
    const plain = trajectory(adam({ lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.01 }));
    const scheduled = trajectory(
      adam({ lr: constantSchedule(0.01), beta1: constantSchedule(0.8), beta2: constantSchedule(0.95), eps: constantSchedule(1e-6), weightDecay: constantSchedule(0.01) }),
    );
    expectSameTrajectory(plain, scheduled, 1e-15);
  });
});

describe("state slots are params named per optimizer and param", () => {
  const names = (opt: Optimizer) => {
    const p = leastSquares();
    return opt.updates(p.loss, [...p.params]).map(([t]) => (t.is("param") ? t.params.name : "?"));
  };

  it("names are deterministic, prefixed by the optimizer's name, and start from their documented initial values", () => {
    expect(names(adam())).toEqual(["W", "b", "adam/W/m", "adam/W/v", "adam/b/m", "adam/b/v", "adam/step"]);
    expect(names(adam({ amsgrad: true, name: "enc" }))).toContain("enc/W/vMax");
    expect(names(sgd())).toEqual(["W", "b", "sgd/step"]);
    expect(names(rmsprop({ centered: true, momentum: 0.9 }))).toEqual(expect.arrayContaining(["rmsprop/W/squareAvg", "rmsprop/W/gradAvg", "rmsprop/W/momentum"]));
    expect(names(adam())).toEqual(names(adam()));
  });

  it("targetNamed finds the step counter, so a schedule's current value can be an output", () => {
    const p = leastSquares();
    const schedule = stepDecay({ init: 0.2, stepSize: 2, gamma: 0.5 });
    const updates = sgd({ lr: schedule }).updates(p.loss, [...p.params]);
    const lrNow = schedule(targetNamed(updates, "sgd/step") as Scalar);
    let state: State | undefined;
    for (let t = 0; t < 6; t++) {
      const fed = { ...p.inputs, ...(state ?? {}) };
      expect(evaluate(lrNow, fed)[0]).toBeCloseTo(0.2 * 0.5 ** Math.floor(t / 2), 15);
      state = run(updates, 1, { state, inputs: p.inputs });
    }
    expect(() => targetNamed(updates, "nope")).toThrow(/no update target is named "nope"; targets are "W", "b", "sgd\/step"/);
  });

  it("apply(grads, params) equals updates(loss, params)", () => {
    const p = leastSquares();
    const viaApply = adam({ lr: 0.01 }).apply(grad(p.loss, [...p.params]), [...p.params]);
    const a = run(viaApply, 5, { inputs: p.inputs });
    const b = trajectory(adam({ lr: 0.01 }), 5)[4];
    expect([...a.W]).toEqual([...b.W]);
  });

  it("two transforms keeping the same state collide unless one is scoped", () => {
    const p = leastSquares();
    const twice = optimizer(chain(trace({ momentum: 0.9 }), trace({ momentum: 0.5 }), scaleByLearningRate(0.1)), "m2");
    expect(() => twice.updates(p.loss, [...p.params])).toThrow(/"m2\/W\/momentum".*scoped/);
    const scopedTwice = optimizer(chain(trace({ momentum: 0.9 }), scoped("outer", trace({ momentum: 0.5 })), scaleByLearningRate(0.1)), "m2");
    expect(names(scopedTwice)).toContain("m2/outer/W/momentum");
  });

  it("refuses a loss that already has a param with a slot's name", () => {
    const W = param("W", [2], { init: [1, 2] });
    const clash = param("adam/W/m", [2], { init: 0 });
    const loss = W.mul(clash).sum() as Tensor;
    expect(() => adam().updates(loss, [W])).toThrow(/already has a param named "adam\/W\/m"/);
  });

  it("checks params and gradients with messages that say what was expected", () => {
    const p = leastSquares();
    const [W, b] = p.params;
    expect(() => adam().apply([grad(p.loss, [W])[0]], [W, b])).toThrow(/expected 2 gradients/);
    expect(() => adam().apply([b, W], [W, b])).toThrow(/gradient 0 for param "W" must be float32\[3, 2\], got float32\[2\]/);
    expect(() => adam().updates(p.loss, [W.mul(2) as Tensor])).toThrow(/params\[0\] must be a param node/);
    expect(() => adam().updates(p.loss, [W, W])).toThrow(/listed twice/);
    expect(() => adam({ beta1: 1 })).toThrow(/beta1: expected a value in \[0, 1\)/);
  });
});

describe("defaults survive explicit undefined options", () => {
  it("momentum, nesterov and adamw keep their defaults when an option is passed as undefined", () => {
    const p = leastSquares();
    const names = (opt: Optimizer) => opt.updates(p.loss, [...p.params]).map(([t]) => (t.is("param") ? t.params.name : "?"));
    expect(names(momentum({ momentum: undefined, name: undefined }))).toContain("momentum/W/momentum");
    expect(names(nesterov({ momentum: undefined }))).toContain("nesterov/W/momentum");
    const a = trajectory(adamw({ lr: 0.01, weightDecay: undefined }), 3);
    const b = trajectory(adamw({ lr: 0.01, weightDecay: 1e-2 }), 3);
    expect([...a[2].W]).toEqual([...b[2].W]);
  });
});

describe("masked", () => {
  it("applies a transform only to the params the mask selects", () => {
    const isWeight = (p: FloatTensor) => p.is("param") && p.params.name === "W";
    const opt = optimizer(chain(masked(isWeight, scaleByAdam()), scaleByLearningRate(0.05)), "mixed");
    const problem = leastSquares();
    const expected = problem.initial.map((p) => Float64Array.from(p));
    const adamStep = refAdam({ lr: 0.05 });
    const sgdStep = refSgd({ lr: 0.05 });
    trajectory(opt).forEach((state, i) => {
      const [gW, gb] = problem.gradients(expected);
      adamStep([expected[0]], [gW], i + 1);
      sgdStep([expected[1]], [gb], i + 1);
      expect(maxRelError(state.W, expected[0])).toBeLessThan(1e-12);
      expect(maxRelError(state.b, expected[1])).toBeLessThan(1e-12);
      expect(state["mixed/b/m"]).toBeUndefined();
    });
  });

  it("a transform that changes an update's shape is caught", () => {
    const p = leastSquares();
    expect(() =>
      optimizer(
        mapUpdates("toMatrix", (u) => u.reshape([1, -1]) as unknown as FloatTensor),
        "reshaping",
      ).updates(p.loss, [...p.params]),
    ).toThrow(/toMatrix made a float32\[1, 6\] update for param "W", expected float32\[3, 2\]/);
  });
});
