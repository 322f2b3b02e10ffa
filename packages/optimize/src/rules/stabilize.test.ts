import { add, constant, div, exp, grad, input, log, logSoftmax, mean, mul, neg, oneHot, sigmoid, softmax, sub, sum, type AnyTensor } from "@gradfold/graph";
import { sigmoidScalar, softplusScalar } from "@gradfold/graph/internal";
import { describe, expect, it } from "vitest";
import { evalOne, expectClose, hasNonFinite, opsOf } from "../../test/helpers.ts";
import { optimize } from "../optimize.ts";

/** Reference log-softmax of one row, computed in float64 with the max subtracted. */
function logSoftmaxRow(row: readonly number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}
const softmaxRow = (row: readonly number[]) => logSoftmaxRow(row).map(Math.exp);

/**
 * Checks value and gradient of `naive(x)` at extreme inputs: the naive graph is
 * non-finite there, the optimized one matches `value`/`gradient`, in the order
 * grad(optimize(naive)) and — when `gradFirst` — also optimize(grad(naive)).
 */
function checkStable(opts: {
  x: number[];
  shape: number[];
  naive: (x: AnyTensor) => AnyTensor;
  value: number[];
  gradient: number[];
  expectOp: string;
  gradFirst: boolean;
  naiveFinite?: boolean;
}) {
  const x = input("x", opts.shape);
  const loss = opts.naive(x);
  const feeds = { x: opts.x };
  if (!opts.naiveFinite) expect(hasNonFinite([...evalOne(loss, feeds), ...evalOne(grad(loss, [x])[0], feeds)])).toBe(true);
  const optimized = optimize(loss).outputs;
  expect(opsOf(optimized).has(opts.expectOp)).toBe(true);
  expectClose(evalOne(optimized, feeds), opts.value);
  expectClose(evalOne(grad(optimized, [x])[0], feeds), opts.gradient);
  if (opts.gradFirst) expectClose(evalOne(optimize(grad(loss, [x])[0]).outputs, feeds), opts.gradient);
}

describe("stabilize at extreme inputs", () => {
  it("log(softmax(x)) -> logSoftmax(x): logits ±1000", () => {
    const rows = [
      [1000, 0, -1000],
      [-1000, -1000, 3],
    ];
    const w = [1, 2, 3, -1, 0.5, 2];
    const weights = constant(w, [2, 3]);
    const lsm = rows.flatMap(logSoftmaxRow);
    const sm = rows.map(softmaxRow);
    // d Σ w·logsoftmax(x) = w − softmax(x)·Σ_row w
    const gradient = rows.flatMap((_, r) => [0, 1, 2].map((j) => w[r * 3 + j] - sm[r][j] * (w[r * 3] + w[r * 3 + 1] + w[r * 3 + 2])));
    checkStable({
      x: rows.flat(),
      shape: [2, 3],
      naive: (x) => sum(mul(log(softmax(x, -1)), weights)),
      value: [lsm.reduce((s, v, i) => s + v * w[i], 0)],
      gradient,
      expectOp: "logSoftmax",
      gradFirst: true,
    });
  });

  it("log(sum(exp(x))) -> logsumexp(x): logits ±1000", () => {
    const rows = [
      [1000, 999],
      [-1000, -1001],
    ];
    const value = rows.map((r) => -logSoftmaxRow(r)[0] + r[0]);
    checkStable({
      x: rows.flat(),
      shape: [2, 2],
      naive: (x) => sum(log(sum(exp(x), [1]))),
      value: [value[0] + value[1]],
      gradient: rows.flatMap(softmaxRow),
      expectOp: "logsumexp",
      gradFirst: true,
    });
  });

  it("log(sigmoid(x)) -> -softplus(-x): x = ±1000", () => {
    const xs = [-1000, 1000, 0, 2];
    checkStable({
      x: xs,
      shape: [4],
      naive: (x) => sum(log(sigmoid(x))),
      value: [xs.reduce((s, v) => s - softplusScalar(-v), 0)],
      gradient: xs.map((v) => sigmoidScalar(-v)),
      expectOp: "softplus",
      gradFirst: true,
    });
  });

  it("log(1 - sigmoid(x)) -> -softplus(x): x = ±1000", () => {
    const xs = [1000, -1000, 0, -2];
    checkStable({
      x: xs,
      shape: [4],
      naive: (x) => sum(log(sub(1, sigmoid(x)))),
      value: [xs.reduce((s, v) => s - softplusScalar(v), 0)],
      gradient: xs.map((v) => -sigmoidScalar(v)),
      expectOp: "softplus",
      gradFirst: true,
    });
  });

  it("log(1+exp(x)) -> softplus(x): x = ±1000", () => {
    const xs = [1000, -1000, 0, 3];
    checkStable({
      x: xs,
      shape: [4],
      naive: (x) => sum(log(add(1, exp(x)))),
      value: [xs.reduce((s, v) => s + softplusScalar(v), 0)],
      gradient: xs.map(sigmoidScalar),
      expectOp: "softplus",
      gradFirst: true,
    });
  });

  it("hand-written softmax and sigmoid are recognised, so their logs stabilize too", () => {
    const rows = [
      [1000, 0, -1000],
      [-1000, -1000, 3],
    ];
    checkStable({
      x: rows.flat(),
      shape: [2, 3],
      naive: (x) => sum(log(div(exp(x), sum(exp(x), [1], true)))),
      value: [rows.flatMap(logSoftmaxRow).reduce((a, b) => a + b, 0)],
      gradient: rows.flatMap((r) => softmaxRow(r).map((p) => 1 - 3 * p)),
      expectOp: "logSoftmax",
      gradFirst: false,
    });
    const xs = [-1000, 1000, 0.5];
    checkStable({
      x: xs,
      shape: [3],
      naive: (x) => sum(log(div(1, add(1, exp(neg(x)))))),
      value: [xs.reduce((s, v) => s - softplusScalar(-v), 0)],
      gradient: xs.map((v) => sigmoidScalar(-v)),
      expectOp: "softplus",
      gradFirst: false,
    });
  });

  it("log(1+x) -> log1p(x): x near 0 keeps its digits", () => {
    const xs = [1e-20, -1e-17, 3e-12];
    const x = input("x", [3]);
    const naive = log(add(x, 1));
    expect(Array.from(evalOne(naive, { x: xs }))).toEqual([0, 0, expect.any(Number)]); // the digits are gone
    const optimized = optimize(naive).outputs;
    expect(opsOf(optimized).has("log1p")).toBe(true);
    expectClose(evalOne(optimized, { x: xs }), xs.map(Math.log1p), 1e-15);
    expectClose(
      evalOne(grad(sum(optimized), [x])[0], { x: xs }),
      xs.map((v) => 1 / (1 + v)),
    );
  });

  it("exp(x)-1 -> expm1(x): x near 0 keeps its digits", () => {
    const xs = [1e-20, -1e-17, 3e-12];
    const x = input("x", [3]);
    const naive = sub(exp(x), 1);
    expect(evalOne(naive, { x: xs })[0]).toBe(0);
    const optimized = optimize(naive).outputs;
    expect(opsOf(optimized).has("expm1")).toBe(true);
    expect(opsOf(optimized).has("exp")).toBe(false);
    expectClose(evalOne(optimized, { x: xs }), xs.map(Math.expm1), 1e-15);
    expectClose(evalOne(grad(sum(optimized), [x])[0], { x: xs }), xs.map(Math.exp));
  });
});

describe("softmax cross-entropy -> fused softmaxCrossEntropy", () => {
  const rows = [
    [1000, -1000, 0],
    [-1000, 1000, 5],
    [0, 1, 2],
  ];
  const labels = [1, 1, 2];
  const perExample = rows.map((r, i) => -logSoftmaxRow(r)[labels[i]]);
  const forms: Array<[string, (l: AnyTensor, t: AnyTensor) => AnyTensor, number]> = [
    ["−mean(Σ onehot·log softmax)", (l, t) => neg(mean(sum(mul(t, log(softmax(l, -1))), [1]))), 3],
    ["−Σ onehot·log softmax over batch and classes", (l, t) => neg(sum(mul(log(softmax(l, -1)), t))), 1],
    ["−mean(Σ onehot·logSoftmax)", (l, t) => neg(mean(sum(mul(t, logSoftmax(l, -1)), [1]))), 3],
    ["mean(Σ −onehot·log softmax)", (l, t) => mean(sum(mul(neg(t), log(softmax(l, -1))), [1])), 3],
  ];
  for (const [name, build, divisor] of forms) {
    it(`${name}: finite value and gradient (softmax − onehot)/n at logits ±1000`, () => {
      const logits = input("logits", [3, 3]);
      const y = input("y", [3], "int32");
      const loss = build(logits, oneHot(y, 3));
      const feeds = { logits: rows.flat(), y: labels };
      const optimized = optimize(loss).outputs;
      const ops = opsOf(optimized);
      expect(ops.has("softmaxCrossEntropy")).toBe(true);
      expect(ops.has("log")).toBe(false);
      const value = perExample.reduce((a, b) => a + b, 0) / divisor;
      expectClose(evalOne(optimized, feeds), [value]);
      const expected = rows.flatMap((r, i) => softmaxRow(r).map((p, j) => (p - (j === labels[i] ? 1 : 0)) / divisor));
      expectClose(evalOne(grad(optimized, [logits])[0], feeds), expected);
      // The other order: differentiate the naive graph, then optimize the gradient.
      expectClose(evalOne(optimize(grad(loss, [logits])[0]).outputs, feeds), expected);
      const naive = evalOne(loss, feeds);
      if (!name.includes("logSoftmax")) expect(hasNonFinite(naive)).toBe(true);
    });
  }
});

describe("sigmoid + binary cross-entropy -> BCE on logits", () => {
  it("−mean(t·log σ(x) + (1−t)·log(1−σ(x))): finite value and gradient σ(x) − t at x = ±1000", () => {
    const xs = [1000, -1000, 1000, -1000, 0.5, -3];
    const ts = [1, 0, 0, 1, 0.3, 0.9];
    const x = input("x", [6]);
    const t = input("t", [6]);
    const p = sigmoid(x);
    const loss = neg(mean(add(mul(t, log(p)), mul(sub(1, t), log(sub(1, p))))));
    const feeds = { x: xs, t: ts };
    expect(hasNonFinite(evalOne(loss, feeds))).toBe(true);
    const optimized = optimize(loss).outputs;
    const ops = opsOf(optimized);
    expect(ops.has("maximum") && ops.has("abs") && ops.has("log1p")).toBe(true); // max(x, 0) − x·t + log1p(e^−|x|)
    expect(ops.has("sigmoid")).toBe(false);
    expect(ops.has("log")).toBe(false);
    const bce = xs.map((v, i) => Math.max(v, 0) - v * ts[i] + Math.log1p(Math.exp(-Math.abs(v))));
    expectClose(evalOne(optimized, feeds), [bce.reduce((a, b) => a + b, 0) / 6]);
    const expected = xs.map((v, i) => (sigmoidScalar(v) - ts[i]) / 6);
    expectClose(evalOne(grad(optimized, [x])[0], feeds), expected);
    expectClose(evalOne(optimize(grad(loss, [x])[0]).outputs, feeds), expected);
  });
});
