import { describe, expect, it } from "vitest";
import { evaluate, input, param } from "@gradfold/graph";
import { maxRelError } from "../../test/harness.ts";
import {
  addDecayedWeights,
  chain,
  clipByGlobalNorm,
  clipByValue,
  flipSign,
  globalNorm,
  scale,
  scaleByLearningRate,
  type FloatTensor,
  type GradientTransformation,
  type Scalar,
  type TransformContext,
} from "../index.ts";

/** Applies a stateless transform to fed gradients and returns the evaluated updates. */
function transformed(t: GradientTransformation, grads: number[][], params: number[][] = grads.map((g) => g.map(() => 0)), step = 0) {
  const ps = params.map((p, i) => param(`p${i}`, [p.length], { init: p }) as FloatTensor);
  const gs = grads.map((g, i) => input(`g${i}`, [g.length]) as FloatTensor);
  const ctx: TransformContext = { prefix: "test", params: ps, step: param("test/step", [], { init: step }) as Scalar };
  const out = t.update(gs, ctx);
  expect(out.state).toEqual([]);
  return evaluate(out.updates, Object.fromEntries(grads.map((g, i) => [`g${i}`, g])));
}

describe("clipByGlobalNorm", () => {
  const grads = [
    [3, -4, 1],
    [2, 0.5],
  ];
  const norm = Math.hypot(3, -4, 1, 2, 0.5);

  it("scales all updates together by maxNorm/‖g‖ when the global norm is above maxNorm", () => {
    const out = transformed(clipByGlobalNorm(2), grads);
    for (const [i, g] of grads.entries())
      expect(
        maxRelError(
          out[i],
          g.map((v) => (v * 2) / norm),
        ),
      ).toBeLessThan(1e-15);
    expect(Math.hypot(...out.flatMap((o) => [...o]))).toBeCloseTo(2, 14);
  });

  it("leaves updates bit-identical when the norm is within bounds, and zero gradients stay zero", () => {
    const out = transformed(clipByGlobalNorm(10), grads);
    for (const [i, g] of grads.entries()) expect([...out[i]]).toEqual(g);
    const zeros = transformed(clipByGlobalNorm(1), [[0, 0]]);
    expect([...zeros[0]]).toEqual([0, 0]);
  });

  it("globalNorm is the L2 norm over all elements", () => {
    const gs = grads.map((g, i) => input(`n${i}`, [g.length]) as FloatTensor);
    expect(evaluate(globalNorm(gs), { n0: grads[0], n1: grads[1] })[0]).toBeCloseTo(norm, 14);
  });
});

describe("stateless transforms", () => {
  it("clipByValue clamps each element into [-c, c]", () => {
    expect([...transformed(clipByValue(1.5), [[-3, -1, 0, 1.4, 2]])[0]]).toEqual([-1.5, -1, 0, 1.4, 1.5]);
  });

  it("addDecayedWeights adds λθ, only to params the mask selects", () => {
    const out = transformed(addDecayedWeights(0.1, { mask: (p) => p.is("param") && p.params.name !== "p1" }), [[1, 2], [3]], [[10, 20], [30]]);
    expect(maxRelError(out[0], [2, 4])).toBeLessThan(1e-15);
    expect([...out[1]]).toEqual([3]);
  });

  it("scaleByLearningRate multiplies by −lr, reading a schedule at the current step", () => {
    expect([...transformed(scaleByLearningRate(0.5), [[2, -4]])[0]]).toEqual([-1, 2]);
    const halving = (s: Scalar) => s.mul(-1).add(3).reciprocal() as Scalar; // 1/(3 − step)
    expect([...transformed(scaleByLearningRate(halving), [[2, -4]], undefined, 1)[0]]).toEqual([-1, 2]);
  });

  it("chain applies transforms left to right", () => {
    // clip then scale: (clip(g, 1))·3, not clip(3g, 1).
    expect([...transformed(chain(clipByValue(1), scale(3)), [[5, -0.5]])[0]]).toEqual([3, -1.5]);
    expect([...transformed(chain(scale(3), clipByValue(1)), [[5, -0.5]])[0]]).toEqual([1, -1]);
    expect([...transformed(chain(flipSign(), scale(2)), [[1, -2]])[0]]).toEqual([-2, 4]);
  });
});
