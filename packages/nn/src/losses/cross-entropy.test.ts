import { checkGrad, evaluate, grad, input } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { ints, maxAbsDiff, simplexRows, uniform } from "../../test/random.ts";
import { crossEntropy, crossEntropyWithLabels, crossEntropyWithTargets } from "./cross-entropy.ts";

const N = 4;
const C = 5;
const logits = input("logits", [N, C]);
const labels = input("labels", [N], "int32");
const targets = input("targets", [N, C]);
const x = uniform(N * C, -3, 3);
const y = ints(N, C);

/** log-softmax of row i, written out with the max subtracted. */
function logSoftmaxRow(data: ArrayLike<number>, i: number): number[] {
  const row = Array.from({ length: C }, (_, j) => data[i * C + j]);
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}
const oneHotRows = (labelsData: ArrayLike<number>) => Float64Array.from({ length: N * C }, (_, k) => +(labelsData[Math.floor(k / C)] === k % C));
/** −Σ q·logSoftmax for q = (1−ε)·t + ε/C, per row. */
function reference(data: ArrayLike<number>, t: ArrayLike<number>, eps = 0): number[] {
  return Array.from({ length: N }, (_, i) => -logSoftmaxRow(data, i).reduce((a, l, j) => a + ((1 - eps) * t[i * C + j] + eps / C) * l, 0));
}

describe("cross-entropy with int labels (the fused op)", () => {
  test("is −log softmax(x)[label] per example; mean and sum", () => {
    const expected = reference(x, oneHotRows(y));
    const feeds = { logits: x, labels: y };
    expect(maxAbsDiff(evaluate(crossEntropyWithLabels(logits, labels, { reduction: "none" }), feeds), expected)).toBeLessThan(1e-12);
    expect(evaluate(crossEntropyWithLabels(logits, labels), feeds)[0]).toBeCloseTo(expected.reduce((a, b) => a + b) / N, 12);
    expect(evaluate(crossEntropy(logits, labels, { reduction: "sum" }), feeds)[0]).toBeCloseTo(
      expected.reduce((a, b) => a + b),
      12,
    );
  });

  test("label smoothing matches PyTorch's smoothed target (1−ε)·onehot + ε/C", () => {
    const feeds = { logits: x, labels: y };
    for (const eps of [0.1, 0.3]) {
      const got = evaluate(crossEntropyWithLabels(logits, labels, { reduction: "none", labelSmoothing: eps }), feeds);
      expect(maxAbsDiff(got, reference(x, oneHotRows(y), eps))).toBeLessThan(1e-12);
    }
  });

  test("gradients match finite differences, with and without smoothing", () => {
    for (const labelSmoothing of [0, 0.2]) {
      const report = checkGrad(crossEntropyWithLabels(logits, labels, { labelSmoothing }), [logits], { feeds: { logits: x, labels: y } });
      expect(report.ok, JSON.stringify(report.entries)).toBe(true);
    }
  });

  test("class weights follow PyTorch: weighted per example, mean divides by Σ w[y]", () => {
    const weights = [0.5, 2, 1, 0, 3];
    const feeds = { logits: x, labels: y };
    for (const eps of [0, 0.2]) {
      const perExample = Array.from({ length: N }, (_, i) => {
        const l = logSoftmaxRow(x, i);
        return -(1 - eps) * weights[y[i]] * l[y[i]] - (eps / C) * l.reduce((a, v, c) => a + weights[c] * v, 0);
      });
      const none = evaluate(crossEntropyWithLabels(logits, labels, { classWeights: weights, labelSmoothing: eps, reduction: "none" }), feeds);
      expect(maxAbsDiff(none, perExample)).toBeLessThan(1e-12);
      const mean = evaluate(crossEntropyWithLabels(logits, labels, { classWeights: weights, labelSmoothing: eps }), feeds)[0];
      const weightSum = Array.from(y).reduce((a, label) => a + weights[label], 0);
      expect(mean).toBeCloseTo(perExample.reduce((a, b) => a + b) / weightSum, 12);
    }
    const report = checkGrad(crossEntropy(logits, labels, { classWeights: weights, labelSmoothing: 0.1 }), [logits], { feeds });
    expect(report.ok, JSON.stringify(report.entries)).toBe(true);
    expect(() => crossEntropyWithLabels(logits, labels, { classWeights: [1, 2] })).toThrow(/5 non-negative numbers/);
    expect(() => crossEntropy(logits, targets, { classWeights: weights })).toThrow(/int32 labels only/);
  });

  test("stays exact at logits of ±1000", () => {
    const extreme = Float64Array.from({ length: N * C }, (_, k) => ((k * 7) % 3 === 0 ? 1000 : -1000));
    const feeds = { logits: extreme, labels: y };
    const got = evaluate(crossEntropyWithLabels(logits, labels, { reduction: "none", labelSmoothing: 0.1 }), feeds);
    expect(maxAbsDiff(got, reference(extreme, oneHotRows(y), 0.1))).toBeLessThan(1e-9);
    const [g] = grad(crossEntropyWithLabels(logits, labels, { labelSmoothing: 0.1 }), [logits]);
    expect(evaluate(g, feeds).every(Number.isFinite)).toBe(true);
  });
});

describe("cross-entropy with one-hot and soft targets", () => {
  test("one-hot targets give the same losses as int labels", () => {
    const feeds = { logits: x, labels: y, targets: oneHotRows(y) };
    const a = evaluate(crossEntropyWithTargets(logits, targets, { reduction: "none" }), feeds);
    const b = evaluate(crossEntropyWithLabels(logits, labels, { reduction: "none" }), feeds);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-12);
    const smoothA = evaluate(crossEntropy(logits, targets, { labelSmoothing: 0.2 }), feeds);
    const smoothB = evaluate(crossEntropy(logits, labels, { labelSmoothing: 0.2 }), feeds);
    expect(smoothA[0]).toBeCloseTo(smoothB[0], 12);
  });

  test("soft targets: −Σ t·logSoftmax, minimised (to the entropy) when softmax(x) = t", () => {
    const soft = simplexRows(N, C);
    const got = evaluate(crossEntropyWithTargets(logits, targets, { reduction: "none" }), { logits: x, targets: soft });
    expect(maxAbsDiff(got, reference(x, soft))).toBeLessThan(1e-12);
    const logT = Float64Array.from(soft, Math.log);
    const atOptimum = evaluate(crossEntropyWithTargets(logits, targets, { reduction: "none" }), { logits: logT, targets: soft });
    const entropy = Array.from({ length: N }, (_, i) => -soft.subarray(i * C, i * C + C).reduce((a, p) => a + p * Math.log(p), 0));
    expect(maxAbsDiff(atOptimum, entropy)).toBeLessThan(1e-12);
  });

  test("gradients match finite differences in logits and targets", () => {
    const report = checkGrad(crossEntropyWithTargets(logits, targets, { labelSmoothing: 0.1 }), [logits, targets], {
      feeds: { logits: x, targets: simplexRows(N, C) },
    });
    expect(report.ok, JSON.stringify(report.entries)).toBe(true);
  });

  test("stays exact at logits of ±1000", () => {
    const extreme = Float64Array.from({ length: N * C }, (_, k) => (k % 2 === 0 ? 1000 : -1000));
    const soft = simplexRows(N, C);
    const got = evaluate(crossEntropyWithTargets(logits, targets, { reduction: "none" }), { logits: extreme, targets: soft });
    expect(maxAbsDiff(got, reference(extreme, soft))).toBeLessThan(1e-9);
  });

  test("bad targets are refused with the shapes named", () => {
    expect(() => crossEntropyWithTargets(logits, input("t3", [N, 3]))).toThrow(/logits' shape/);
    expect(() => crossEntropyWithLabels(logits, labels, { labelSmoothing: 1 })).toThrow(/labelSmoothing/);
    expect(() => crossEntropy(logits, input("b", [N], "bool") as never)).toThrow(/int32 labels or float32/);
  });
});
