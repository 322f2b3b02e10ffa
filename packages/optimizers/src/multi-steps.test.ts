import { describe, expect, it } from "vitest";
import { input, param, type Tensor } from "@gradfold/graph";
import { maxRelError, run, type State } from "../test/harness.ts";
import { refAdam } from "../test/reference.ts";
import { adam, multiSteps } from "./index.ts";

/**
 * A linear model w·x − y whose batches we feed one by one: with k = 3, each 3rd step
 * applies Adam to the mean of the last 3 gradients, and the params and Adam's state
 * (including its step counter) stay put in between.
 */
describe("multiSteps (gradient accumulation over k batches)", () => {
  const batches = [
    { x: [1, 2], y: [1] },
    { x: [0.5, -1], y: [2] },
    { x: [-1, 0.3], y: [0] },
    { x: [2, 2], y: [-1] },
    { x: [0.2, 0.1], y: [0.5] },
    { x: [1, -1], y: [1] },
    { x: [-0.4, 0.9], y: [0.3] },
    { x: [1.5, 0.5], y: [-0.2] },
    { x: [0, 1], y: [1] },
  ];
  const grad = (w: Float64Array, b: { x: number[]; y: number[] }) => {
    const r = w[0] * b.x[0] + w[1] * b.x[1] - b.y[0];
    return Float64Array.of(2 * r * b.x[0], 2 * r * b.x[1]);
  };

  it("applies the inner optimizer to the mean gradient every k-th step only", () => {
    const w = param("w", [2], { init: [0.3, -0.2] });
    const x = input("x", [2]);
    const y = input("y", [1]);
    const loss = w.mul(x).sum().sub(y.sum()).square() as Tensor;
    const updates = multiSteps(adam({ lr: 0.1 }), 3).updates(loss, [w]);

    const expected = [Float64Array.of(0.3, -0.2)];
    const step = refAdam({ lr: 0.1 });
    let acc = new Float64Array(2);
    let state: State | undefined;
    batches.forEach((batch, i) => {
      state = run(updates, 1, { state, inputs: batch });
      const g = grad(expected[0], batch);
      acc = acc.map((v, j) => v + g[j]);
      const t = i + 1;
      if (t % 3 === 0) {
        step(expected, [acc.map((v) => v / 3)], t / 3);
        acc = new Float64Array(2);
      }
      expect(maxRelError(state.w, expected[0]), `w after batch ${t}`).toBeLessThan(1e-12);
      expect(state["adam/step"][0]).toBe(Math.floor(t / 3));
      expect(state["adam/accumulate/miniStep"][0]).toBe(t % 3);
      expect(maxRelError(state["adam/accumulate/w/acc"], acc)).toBeLessThan(1e-12);
    });
  });

  it("with k = 1 is the inner optimizer", () => {
    const w = param("w", [2], { init: [0.3, -0.2] });
    const x = input("x", [2]);
    const loss = w.mul(x).sum().square() as Tensor;
    const a = run(multiSteps(adam({ lr: 0.1 }), 1).updates(loss, [w]), 4, { inputs: { x: [1, 2] } });
    const b = run(adam({ lr: 0.1 }).updates(loss, [w]), 4, { inputs: { x: [1, 2] } });
    expect([...a.w]).toEqual([...b.w]);
    expect(() => multiSteps(adam(), 0)).toThrow(/positive integer/);
  });
});
