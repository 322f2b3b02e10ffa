import { checkGrad, evaluate, grad, input, logSoftmax } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { maxAbsDiff, rng, simplexRows, uniform } from "../../test/random.ts";
import { klDivergence } from "./kl-divergence.ts";

const logQ = input("logQ", [3, 4]);
const p = input("p", [3, 4]);
const pv = simplexRows(3, 4, rng(1));
const qv = simplexRows(3, 4, rng(2));
const feeds = { logQ: Float64Array.from(qv, Math.log), p: pv };

describe("klDivergence (PyTorch kl_div semantics: input log q, target p)", () => {
  test("per element p·(log p − log q); batchmean is the KL per example", () => {
    const terms = Array.from(pv, (v, i) => v * (Math.log(v) - Math.log(qv[i])));
    expect(maxAbsDiff(evaluate(klDivergence(logQ, p, { reduction: "none" }), feeds), terms)).toBeLessThan(1e-12);
    const total = terms.reduce((a, b) => a + b);
    expect(evaluate(klDivergence(logQ, p, { reduction: "sum" }), feeds)[0]).toBeCloseTo(total, 12);
    expect(evaluate(klDivergence(logQ, p), feeds)[0]).toBeCloseTo(total / 12, 12);
    expect(evaluate(klDivergence(logQ, p, { reduction: "batchmean" }), feeds)[0]).toBeCloseTo(total / 3, 12);
    expect(total).toBeGreaterThan(0);
  });

  test("is zero for p = q and treats p = 0 as contributing 0, even where q = 0", () => {
    expect(evaluate(klDivergence(logQ, p, { reduction: "sum" }), { logQ: Float64Array.from(pv, Math.log), p: pv })[0]).toBeCloseTo(0, 14);
    const sparseP = [0.5, 0.5, 0, 0, 1, 0, 0, 0, 0.25, 0.25, 0.25, 0.25];
    const logQs = [Math.log(0.5), Math.log(0.5), -Infinity, Math.log(0.1), 0, -Infinity, -Infinity, -Infinity, ...Array(4).fill(Math.log(0.25))];
    expect(evaluate(klDivergence(logQ, p, { reduction: "sum" }), { logQ: logQs, p: sparseP })[0]).toBe(0);
  });

  test("on logits through logSoftmax: exact at ±1000 with finite gradients", () => {
    const logits = input("z", [3, 4]);
    const loss = klDivergence(logSoftmax(logits), p, { reduction: "batchmean" });
    const z = Float64Array.from({ length: 12 }, (_, k) => (k % 3 === 0 ? 1000 : -1000));
    const value = evaluate(loss, { z, p: pv })[0];
    // Row-wise: log q = 0 − log(#maxima) on the maxima, about −2000 elsewhere.
    let expected = 0;
    for (let i = 0; i < 3; i++) {
      const row = Array.from(z.subarray(i * 4, i * 4 + 4));
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
      row.forEach((v, j) => {
        expected += pv[i * 4 + j] * (Math.log(pv[i * 4 + j]) - (v - lse));
      });
    }
    expect(value).toBeCloseTo(expected / 3, 8);
    const [g] = grad(loss, [logits]);
    expect(evaluate(g, { z, p: pv }).every(Number.isFinite)).toBe(true);
  });

  test("gradients match finite differences", () => {
    const report = checkGrad(klDivergence(logQ, p, { reduction: "batchmean" }), [logQ, p], { feeds: { logQ: uniform(12, -3, -0.1), p: pv } });
    expect(report.ok, JSON.stringify(report.entries)).toBe(true);
  });
});
