import { checkGrad, evaluate, grad, input } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { maxAbsDiff, uniform } from "../../test/random.ts";
import { binaryCrossEntropy, binaryCrossEntropyWithLogits } from "./binary-cross-entropy.ts";

const x = input("x", [2, 5]);
const t = input("t", [2, 5]);
const targets = uniform(10, 0, 1);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe("binaryCrossEntropy on probabilities", () => {
  const p = uniform(10, 0.02, 0.98);
  const reference = (pv: number, tv: number) => -(tv * Math.max(Math.log(pv), -100) + (1 - tv) * Math.max(Math.log(1 - pv), -100));

  test("matches −(t log p + (1−t) log(1−p))", () => {
    const expected = Array.from(p, (v, i) => reference(v, targets[i]));
    expect(maxAbsDiff(evaluate(binaryCrossEntropy(x, t, { reduction: "none" }), { x: p, t: targets }), expected)).toBeLessThan(1e-12);
    expect(evaluate(binaryCrossEntropy(x, t), { x: p, t: targets })[0]).toBeCloseTo(expected.reduce((a, b) => a + b) / 10, 12);
  });

  test("clamps each log at −100 as PyTorch: p = 0 or 1 costs 100, not ∞, and gradients stay finite", () => {
    const edge = { x: [0, 1, 0, 1, 1e-300, 0.5, 0, 1, 0.5, 0.5], t: [1, 0, 0, 1, 1, 1, 0.5, 0.5, 0, 1] };
    const losses = evaluate(binaryCrossEntropy(x, t, { reduction: "none" }), edge);
    expect(Array.from(losses.subarray(0, 4), (v) => v + 0)).toEqual([100, 100, 0, 0]);
    expect(losses[4]).toBe(100);
    expect(losses[6]).toBeCloseTo(50, 12);
    expect(losses[7]).toBeCloseTo(50, 12);
    const [g] = grad(binaryCrossEntropy(x, t, { reduction: "sum" }), [x]);
    const gv = evaluate(g, edge);
    expect(gv.every(Number.isFinite)).toBe(true);
    // No gradient flows through a clamped log; the unclamped term still gives −t/p + (1−t)/(1−p).
    expect(Array.from(gv.subarray(0, 5), (v) => v + 0)).toEqual([0, 0, 1, -1, 0]);
    expect(gv[5]).toBeCloseTo(-2, 12);
  });

  test("gradient matches finite differences", () => {
    const report = checkGrad(binaryCrossEntropy(x, t), [x, t], { feeds: { x: p, t: targets } });
    expect(report.ok, JSON.stringify(report.entries)).toBe(true);
  });
});

describe("binaryCrossEntropyWithLogits", () => {
  const logits = uniform(10, -6, 6);
  // The stable formula written out: max(x, 0) − x·t + log1p(exp(−|x|)).
  const reference = (v: number, tv: number) => Math.max(v, 0) - v * tv + Math.log1p(Math.exp(-Math.abs(v)));

  test("equals BCE of the sigmoid where that is representable", () => {
    const expected = Array.from(logits, (v, i) => -(targets[i] * Math.log(sigmoid(v)) + (1 - targets[i]) * Math.log(1 - sigmoid(v))));
    expect(maxAbsDiff(evaluate(binaryCrossEntropyWithLogits(x, t, { reduction: "none" }), { x: logits, t: targets }), expected)).toBeLessThan(1e-12);
  });

  test("is exact at logits of ±1000 and its gradient σ(x) − t stays finite", () => {
    const data = { x: [1000, -1000, 1000, -1000, 0, 1000, -1000, 40, -40, 0], t: [1, 0, 0, 1, 1, 0.5, 0.5, 0, 1, 0] };
    const losses = evaluate(binaryCrossEntropyWithLogits(x, t, { reduction: "none" }), data);
    const expected = data.x.map((v, i) => reference(v, data.t[i]));
    expect(maxAbsDiff(losses, expected)).toBeLessThan(1e-12);
    expect(Array.from(losses.subarray(0, 4))).toEqual([0, 0, 1000, 1000]);
    const [g] = grad(binaryCrossEntropyWithLogits(x, t, { reduction: "sum" }), [x]);
    const expectedGrad = data.x.map((v, i) => sigmoid(v) - data.t[i]);
    expect(maxAbsDiff(evaluate(g, data), expectedGrad)).toBeLessThan(1e-15);
  });

  test("gradient at x = 0 is σ(0) − t = 0.5 − t", () => {
    const [g] = grad(binaryCrossEntropyWithLogits(x, t, { reduction: "sum" }), [x]);
    const out = evaluate(g, { x: new Float64Array(10), t: targets });
    expect(
      maxAbsDiff(
        out,
        Array.from(targets, (v) => 0.5 - v),
      ),
    ).toBeLessThan(1e-15);
  });

  test("gradient matches finite differences", () => {
    const report = checkGrad(binaryCrossEntropyWithLogits(x, t), [x, t], { feeds: { x: logits, t: targets } });
    expect(report.ok, JSON.stringify(report.entries)).toBe(true);
  });
});
