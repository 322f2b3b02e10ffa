import { checkGrad, evaluate, grad, input, param } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { awayFromZero, maxAbsDiff } from "../../test/random.ts";
import { cost, elasticNet, elasticNetPenalty, l1, l1Penalty, l2, l2Penalty } from "./penalties.ts";

const wData = awayFromZero(6);
const vData = awayFromZero(3).map((v) => v * 2);
const W = param("W", [2, 3], { init: wData });
const v = param("v", [3], { init: vData });
const sumOf = (xs: ArrayLike<number>, f: (x: number) => number) => Array.from(xs).reduce((a, x) => a + f(x), 0);
const sq = sumOf(wData, (x) => x * x) + sumOf(vData, (x) => x * x);
const ab = sumOf(wData, Math.abs) + sumOf(vData, Math.abs);

describe("penalties", () => {
  test("values: Σw², Σ|w|, and the elastic-net mix", () => {
    expect(evaluate(l2Penalty([W, v]))[0]).toBeCloseTo(sq, 12);
    expect(evaluate(l1Penalty([W, v]))[0]).toBeCloseTo(ab, 12);
    expect(evaluate(elasticNetPenalty([W, v], 0.3))[0]).toBeCloseTo(0.3 * ab + 0.7 * sq, 12);
  });

  test("gradients: 2λw for L2 and λ·sign(w) for L1, only on the chosen params", () => {
    const x = input("x", [3]);
    const risk = l2Penalty([x]); // a stand-in risk that does not involve W
    const J = cost(risk, [l2(0.1, [W]), l1(0.01, [v])]);
    const [gW, gv, gx] = grad(J, [W, v, x]);
    const xData = [1, -2, 3];
    const [a, b, c] = evaluate([gW, gv, gx], { x: xData });
    expect(
      maxAbsDiff(
        a,
        Array.from(wData, (w) => 0.2 * w),
      ),
    ).toBeLessThan(1e-12);
    expect(
      maxAbsDiff(
        b,
        Array.from(vData, (w) => 0.01 * Math.sign(w)),
      ),
    ).toBeLessThan(1e-12);
    expect(
      maxAbsDiff(
        c,
        xData.map((w) => 2 * w),
      ),
    ).toBeLessThan(1e-12);
  });

  test("cost = risk + Σ λ·Ω, gradient checked against finite differences", () => {
    const x = input("x", [3]);
    const risk = l1Penalty([x]);
    const J = cost(risk, [l2(0.5, [W]), elasticNet(0.25, [v, W], 0.4)]);
    const riskValue = 0.3 + 0.2 + 0.7;
    const value = evaluate(J, { x: [0.3, -0.2, 0.7] })[0];
    expect(value).toBeCloseTo(riskValue + 0.5 * sumOf(wData, (w) => w * w) + 0.25 * (0.4 * ab + 0.6 * sq), 12);
    const report = checkGrad(J, [W, v, x], { feeds: { x: [0.3, -0.2, 0.7] } });
    expect(report.ok, JSON.stringify(report.entries)).toBe(true);
    expect(cost(risk)).toBe(risk);
    expect(cost(risk, l2(0, [W]))).toBe(risk);
  });

  test("bad arguments are refused", () => {
    expect(() => l2(-1, [W])).toThrow(/lambda/);
    expect(() => l1Penalty([])).toThrow(/non-empty/);
    expect(() => elasticNetPenalty([W], 2)).toThrow(/l1Ratio/);
    expect(() => cost(l2Penalty([W]).reshape([1]) as never)).toThrow(/scalar/);
  });
});
