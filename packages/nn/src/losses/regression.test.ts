import { checkGrad, evaluate, grad, input } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { awayFromZero, maxAbsDiff, uniform } from "../../test/random.ts";
import { absoluteError, huber, squaredError } from "./regression.ts";

const pred = input("pred", [4, 3]);
const target = input("target", [4, 3]);
const p = uniform(12, -3, 3);
// Residuals well away from 0 and from ±delta, so finite differences do not straddle a kink.
const t = Float64Array.from(p, (v, i) => v - awayFromZero(12)[i] * 1.7);
const feeds = { pred: p, target: t };
const d = Array.from(p, (v, i) => v - t[i]);
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("regression losses match their formulas", () => {
  test("squaredError: mean, sum and none", () => {
    expect(evaluate(squaredError(pred, target), feeds)[0]).toBeCloseTo(avg(d.map((v) => v * v)), 12);
    expect(evaluate(squaredError(pred, target, { reduction: "sum" }), feeds)[0]).toBeCloseTo(
      d.reduce((a, v) => a + v * v, 0),
      12,
    );
    const none = squaredError(pred, target, { reduction: "none" });
    expect(none.shape).toEqual([4, 3]);
    expect(
      maxAbsDiff(
        evaluate(none, feeds),
        d.map((v) => v * v),
      ),
    ).toBeLessThan(1e-12);
  });

  test("absoluteError", () => {
    expect(evaluate(absoluteError(pred, target), feeds)[0]).toBeCloseTo(avg(d.map(Math.abs)), 12);
  });

  test("huber is quadratic inside delta and linear outside (PyTorch HuberLoss)", () => {
    for (const delta of [0.5, 1, 2.5]) {
      const expected = d.map((v) => (Math.abs(v) <= delta ? 0.5 * v * v : delta * (Math.abs(v) - 0.5 * delta)));
      expect(maxAbsDiff(evaluate(huber(pred, target, { delta, reduction: "none" }), feeds), expected)).toBeLessThan(1e-12);
    }
  });

  test("gradients match finite differences", () => {
    for (const loss of [squaredError(pred, target), absoluteError(pred, target, { reduction: "sum" }), huber(pred, target, { delta: 1 })]) {
      const report = checkGrad(loss, [pred, target], { feeds });
      expect(report.ok, JSON.stringify(report.entries)).toBe(true);
    }
  });

  test("huber's gradient is the residual inside and delta·sign outside", () => {
    const x = input("x", [4]);
    const y = input("y", [4]);
    const data = { x: [0.3, -0.7, 5, -8], y: [0, 0, 0, 0] };
    const [g] = grad(huber(x, y, { reduction: "sum" }), [x]);
    expect(maxAbsDiff(evaluate(g, data), [0.3, -0.7, 1, -1])).toBeLessThan(1e-15);
  });

  test("mismatched shapes and bad options are refused", () => {
    expect(() => squaredError(pred, input("t2", [4, 1]))).toThrow(/same shape/);
    expect(() => huber(pred, target, { delta: 0 })).toThrow(/delta/);
    expect(() => squaredError(pred, target, { reduction: "avg" as never })).toThrow(/reduction/);
  });
});
