import { checkGrad, evaluate, grad, input } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { ints, maxAbsDiff, uniform } from "../../test/random.ts";
import { hinge, multiClassHinge, squaredHinge } from "./hinge.ts";

describe("binary hinge losses (targets ±1)", () => {
  const s = input("s", [6]);
  const t = input("t", [6]);
  const feeds = { s: [2, 0.5, -0.3, -2, 0.2, 1.4], t: [1, 1, 1, -1, -1, -1] };
  const violations = feeds.s.map((v, i) => Math.max(0, 1 - feeds.t[i] * v)); // [0, 0.5, 1.3, 0, 1.2, 2.4]

  test("hinge is max(0, 1 − t·s), squared hinge its square", () => {
    expect(maxAbsDiff(evaluate(hinge(s, t, { reduction: "none" }), feeds), violations)).toBeLessThan(1e-12);
    expect(evaluate(hinge(s, t), feeds)[0]).toBeCloseTo(violations.reduce((a, b) => a + b) / 6, 12);
    expect(
      maxAbsDiff(
        evaluate(squaredHinge(s, t, { reduction: "none" }), feeds),
        violations.map((v) => v * v),
      ),
    ).toBeLessThan(1e-12);
    expect(evaluate(hinge(s, t, { margin: 2, reduction: "sum" }), feeds)[0]).toBeCloseTo(
      feeds.s.reduce((a, v, i) => a + Math.max(0, 2 - feeds.t[i] * v), 0),
      12,
    );
  });

  test("gradients: −t inside the margin, 0 outside; squared: −2t·violation", () => {
    const [g] = grad(hinge(s, t, { reduction: "sum" }), [s]);
    expect(Array.from(evaluate(g, feeds), (v) => v + 0)).toEqual([0, -1, -1, 0, 1, 1]);
    const [g2] = grad(squaredHinge(s, t, { reduction: "sum" }), [s]);
    expect(
      maxAbsDiff(
        evaluate(g2, feeds),
        violations.map((v, i) => -2 * feeds.t[i] * v),
      ),
    ).toBeLessThan(1e-12);
    for (const loss of [hinge(s, t), squaredHinge(s, t)]) expect(checkGrad(loss, [s], { feeds }).ok).toBe(true);
  });
});

describe("multi-class hinge", () => {
  const N = 5;
  const C = 4;
  const scores = input("scores", [N, C]);
  const labels = input("labels", [N], "int32");
  const x = uniform(N * C, -2, 2);
  const y = ints(N, C);
  const row = (data: ArrayLike<number>, i: number) => Array.from({ length: C }, (_, j) => data[i * C + j]);

  function westonWatkins(data: ArrayLike<number>, squared: boolean, margin = 1): number[] {
    return Array.from({ length: N }, (_, i) => {
      const r = row(data, i);
      let total = 0;
      r.forEach((v, j) => {
        if (j === y[i]) return;
        const h = Math.max(0, margin - r[y[i]] + v);
        total += squared ? h * h : h;
      });
      return total / C;
    });
  }
  function crammerSinger(data: ArrayLike<number>, squared: boolean): number[] {
    return Array.from({ length: N }, (_, i) => {
      const r = row(data, i);
      const rival = Math.max(...r.filter((_, j) => j !== y[i]));
      const h = Math.max(0, 1 - r[y[i]] + rival);
      return squared ? h * h : h;
    });
  }

  test("Weston–Watkins matches PyTorch's MultiMarginLoss (p = 1 and p = 2)", () => {
    const feeds = { scores: x, labels: y };
    for (const squared of [false, true]) {
      const got = evaluate(multiClassHinge(scores, labels, { reduction: "none", squared }), feeds);
      expect(maxAbsDiff(got, westonWatkins(x, squared))).toBeLessThan(1e-12);
    }
    expect(maxAbsDiff(evaluate(multiClassHinge(scores, labels, { reduction: "none", margin: 0.5 }), feeds), westonWatkins(x, false, 0.5))).toBeLessThan(1e-12);
  });

  test("Crammer–Singer charges only the strongest wrong class", () => {
    const feeds = { scores: x, labels: y };
    for (const squared of [false, true]) {
      const got = evaluate(multiClassHinge(scores, labels, { reduction: "none", squared, formulation: "crammerSinger" }), feeds);
      expect(maxAbsDiff(got, crammerSinger(x, squared))).toBeLessThan(1e-12);
    }
  });

  test("gradients match finite differences", () => {
    for (const formulation of ["westonWatkins", "crammerSinger"] as const) {
      for (const squared of [false, true]) {
        const report = checkGrad(multiClassHinge(scores, labels, { formulation, squared }), [scores], { feeds: { scores: x, labels: y } });
        expect(report.ok, `${formulation} ${squared} ${JSON.stringify(report.entries)}`).toBe(true);
      }
    }
  });

  test("finite at scores of ±1000", () => {
    const extreme = Float64Array.from({ length: N * C }, (_, k) => (k % 3 === 0 ? 1000 : -1000));
    const feeds = { scores: extreme, labels: y };
    for (const formulation of ["westonWatkins", "crammerSinger"] as const) {
      const got = evaluate(multiClassHinge(scores, labels, { reduction: "none", formulation }), feeds);
      expect(maxAbsDiff(got, formulation === "westonWatkins" ? westonWatkins(extreme, false) : crammerSinger(extreme, false))).toBeLessThan(1e-9);
      const [g] = grad(multiClassHinge(scores, labels, { formulation }), [scores]);
      expect(evaluate(g, feeds).every(Number.isFinite)).toBe(true);
    }
  });
});
