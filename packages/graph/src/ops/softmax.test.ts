import { describe, expect, test } from "vitest";
import { evaluate } from "../evaluate.ts";
import { grad } from "../grad.ts";
import { constant, input } from "./leaves.ts";
import { logSoftmax, logsumexp, softmax, softmaxCrossEntropy } from "./softmax.ts";

// Each row is shifted from [0, 1, 2] by a constant: the results must not depend on it.
const shifts = [0, 1000, -1000];
const logits = constant(shifts.map((c) => [c, c + 1, c + 2]));
const lse012 = Math.log(1 + Math.E + Math.E ** 2);

function expectRowsClose(got: Float64Array, row: number[], shiftBy: (c: number) => number = () => 0): void {
  expect(got.every(Number.isFinite)).toBe(true);
  shifts.forEach((c, r) => {
    row.forEach((v, j) => {
      expect(got[r * row.length + j]).toBeCloseTo(v + shiftBy(c), 10);
    });
  });
}

describe("softmax family is finite and exact at ±1000", () => {
  test("logsumexp", () => {
    const got = evaluate(logsumexp(logits, -1));
    expect(got.every(Number.isFinite)).toBe(true);
    shifts.forEach((c, r) => {
      expect(got[r]).toBeCloseTo(c + lse012, 10);
    });
    expect(logsumexp(logits, 1, true).shape).toEqual([3, 1]);
  });
  test("softmax", () => {
    expectRowsClose(
      evaluate(softmax(logits)),
      [0, 1, 2].map((v) => Math.exp(v - lse012)),
    );
  });
  test("logSoftmax", () => {
    expectRowsClose(
      evaluate(logSoftmax(logits, 1)),
      [0, 1, 2].map((v) => v - lse012),
    );
  });
  test("softmax over axis 0 sums to one down the columns", () => {
    const s = evaluate(
      softmax(
        constant([
          [1000, -1000],
          [999, -1001],
        ]),
        0,
      ),
    );
    // x − lse at |x| ≈ 1000 keeps about 13 digits: 1000's own ulp is 1e-13.
    expect(s[0] + s[2]).toBeCloseTo(1, 12);
    expect(s[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
  });
  test("softmaxCrossEntropy is lse(x) - x[label] per example", () => {
    const labels = constant([0, 2, 1], [3], "int32") as never;
    const loss = softmaxCrossEntropy(logits, labels);
    expect(loss.shape).toEqual([3]);
    const got = evaluate(loss);
    expect(got.every(Number.isFinite)).toBe(true);
    [lse012 - 0, lse012 - 2, lse012 - 1].forEach((v, i) => {
      expect(got[i]).toBeCloseTo(v, 10);
    });
  });
  test("softmaxCrossEntropy rejects labels of the wrong shape or dtype", () => {
    expect(() => softmaxCrossEntropy(logits, constant([0, 1], [2], "int32") as never)).toThrow(/softmaxCrossEntropy: labels must have shape \[3\]/);
    expect(() => softmaxCrossEntropy(logits, constant([0, 1, 2]) as never)).toThrow(/labels must be int32, got float32/);
    expect(() => evaluate(softmaxCrossEntropy(logits, constant([0, 3, 1], [3], "int32") as never))).toThrow(/label 3 is out of range \[0, 3\)/);
  });
});

test("gradients stay finite and right at ±1000: d lse = softmax, d CE = softmax − onehot", () => {
  const x = input("x", [3, 3]);
  const labels = constant([0, 2, 1], [3], "int32");
  const feeds = { x: shifts.flatMap((c) => [c, c + 1, c + 2]) };
  const p = [0, 1, 2].map((v) => Math.exp(v - lse012));
  const [gl] = grad(logsumexp(x, -1).sum(), [x]);
  const [gc] = grad(softmaxCrossEntropy(x, labels).sum(), [x]);
  const [gs] = grad(
    logSoftmax(x)
      .mul(constant([1, 0, 0], [3]))
      .sum(),
    [x],
  );
  const got = evaluate([gl, gc, gs], feeds);
  for (const g of got) expect(g.every(Number.isFinite)).toBe(true);
  shifts.forEach((_, r) => {
    [0, 1, 2].forEach((j) => {
      expect(got[0][r * 3 + j]).toBeCloseTo(p[j], 10);
      expect(got[1][r * 3 + j]).toBeCloseTo(p[j] - (j === [0, 2, 1][r] ? 1 : 0), 10);
      expect(got[2][r * 3 + j]).toBeCloseTo((j === 0 ? 1 : 0) - p[j], 10);
    });
  });
});
