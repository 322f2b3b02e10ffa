import { evaluate, input } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { ints, rng, uniform } from "../../test/random.ts";
import { accuracy, argmax, classScores, confusionMatrix, misclassificationRate, topKAccuracy, zeroOneLoss } from "./classification.ts";
import { accuracyOf, topKAccuracyOf, zeroOneLossOf } from "./graph-metrics.ts";

// 4 examples, 3 classes. Row 3 has a tie between classes 0 and 2 (argmax → 0).
const scores = Float32Array.from([
  0.1,
  0.7,
  0.2, // argmax 1
  2.0,
  -1,
  0.5, // argmax 0
  -3,
  -2,
  -1, // argmax 2
  0.4,
  0.1,
  0.4, // tie 0/2 → 0
]);
const labels = Int32Array.from([1, 2, 2, 2]);

describe("plain metrics", () => {
  test("argmax takes the first maximum", () => expect(Array.from(argmax(scores, 3))).toEqual([1, 0, 2, 0]));

  test("accuracy, zero-one loss and misclassification rate", () => {
    expect(accuracy(scores, labels)).toBe(0.5);
    expect(zeroOneLoss(scores, labels)).toBe(0.5);
    expect(zeroOneLoss(scores, labels, { normalize: false })).toBe(2);
    expect(misclassificationRate(scores, labels)).toBe(0.5);
    expect(accuracy([1, 2, 0], [1, 2, 2])).toBeCloseTo(2 / 3, 15); // predicted labels compared directly
  });

  test("top-k: k = 1 is accuracy, k = C is 1", () => {
    // Ranks of the true class: row0 0, row1 1 (2.0 > 0.5), row2 0, row3 1 (tie with a lower index).
    expect(topKAccuracy(scores, labels, 1)).toBe(0.5);
    expect(topKAccuracy(scores, labels, 2)).toBe(1);
    expect(topKAccuracy(scores, labels, 3)).toBe(1);
  });

  test("top-k against a sort-based reference on random data", () => {
    const n = 50;
    const c = 7;
    const s = uniform(n * c, -1, 1, rng(3));
    const y = ints(n, c, rng(4));
    for (const k of [1, 2, 5]) {
      let hitsRef = 0;
      for (let i = 0; i < n; i++) {
        const order = Array.from({ length: c }, (_, j) => j).sort((a, b) => s[i * c + b] - s[i * c + a] || a - b);
        if (order.slice(0, k).includes(y[i])) hitsRef++;
      }
      expect(topKAccuracy(s, y, k)).toBeCloseTo(hitsRef / n, 15);
    }
  });

  test("confusion matrix: rows are true classes, columns predictions", () => {
    expect(confusionMatrix(scores, labels, 3)).toEqual([
      [0, 0, 0],
      [0, 1, 0],
      [2, 0, 1],
    ]);
    expect(confusionMatrix([0, 1, 1], [0, 1, 0], 2)).toEqual([
      [1, 1],
      [0, 1],
    ]);
  });

  test("precision, recall and F1 per class, and their macro averages", () => {
    // True 0: 5 examples (4 right, 1 predicted 1); true 1: 3 (2 right, 1 predicted 0); class 2 never occurs nor is predicted.
    const scores = classScores([
      [4, 1, 0],
      [1, 2, 0],
      [0, 0, 0],
    ]);
    expect(scores.precision).toEqual([4 / 5, 2 / 3, 0]);
    expect(scores.recall).toEqual([4 / 5, 2 / 3, 0]);
    expect(scores.f1[0]).toBeCloseTo(0.8, 15);
    expect(scores.f1[2]).toBe(0);
    expect(scores.macro.f1).toBeCloseTo((0.8 + 2 / 3) / 3, 15);
    expect(() => classScores([[1, 2]])).toThrow(/square/);
  });

  test("bad input is refused with what was expected", () => {
    expect(() => accuracy(scores, [1, 2, 3, 0, 1])).toThrow(/do not split/);
    expect(() => accuracy(scores, [1, 2, 2, 5])).toThrow(/label 3 is 5/);
    expect(() => topKAccuracy(scores, labels, 0)).toThrow(/positive integer/);
  });
});

describe("graph forms agree with the plain functions", () => {
  const s = input("s", ["batch", 3]);
  const y = input("y", ["batch"], "int32");
  test("on the tie example", () => {
    const feeds = { s: scores, y: labels };
    const [acc, top2, err] = evaluate([accuracyOf(s, y), topKAccuracyOf(s, y, 2), zeroOneLossOf(s, y)], feeds, { batch: 4 });
    expect([acc[0], top2[0], err[0]]).toEqual([0.5, 1, 0.5]);
  });
  test("on random data", () => {
    const n = 40;
    const sv = uniform(n * 3, -1, 1, rng(8));
    const yv = ints(n, 3, rng(9));
    const [acc, top2] = evaluate([accuracyOf(s, y), topKAccuracyOf(s, y, 2)], { s: sv, y: yv }, { batch: n });
    expect(acc[0]).toBeCloseTo(accuracy(sv, yv), 12);
    expect(top2[0]).toBeCloseTo(topKAccuracy(sv, yv, 2), 12);
  });
});
