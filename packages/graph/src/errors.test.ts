import { describe, expect, test } from "vitest";
import { checkGrad } from "./check-grad.ts";
import { evaluate } from "./evaluate.ts";
import { grad } from "./grad.ts";
import { add, concat, input, matmul, param, sum } from "./index.ts";

const m34 = input("m34", [3, 4]);
const v5 = input("v5", [5]);

describe("construction errors name the op, the operands' shapes and the user's call site", () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["method add", () => m34.add(v5 as never), /^add: dims 4 and 5 at axis -1 do not broadcast; operands float32\[3, 4\], float32\[5\] \(at .*errors\.test\.ts:\d+:\d+\)/],
    ["function add", () => add(m34, v5 as never), /^add: .*operands float32\[3, 4\], float32\[5\] \(at .*errors\.test\.ts:\d+/],
    ["matmul", () => matmul(m34, input("k", [5, 2]) as never), /^matmul: inner dims differ: 4 vs 5; operands float32\[3, 4\], float32\[5, 2\] \(at .*errors\.test\.ts:\d+/],
    ["reduction axis", () => m34.sum(2 as never), /^sum: axis 2 is out of range for rank 2; operands \[3, 4\] \(at .*errors\.test\.ts:\d+/],
    [
      "concat",
      () => concat([m34, input("n", [2, 5])] as never, 0),
      /^concat: operands must agree on every dim but axis 0; operands float32\[3, 4\], float32\[2, 5\] \(at .*errors\.test\.ts/,
    ],
    [
      "dtype",
      () => m34.add(input("i", [3, 4], "int32") as never),
      /^add: dtypes differ \(float32, int32\); cast one operand first; operands float32\[3, 4\], int32\[3, 4\] \(at .*errors\.test\.ts/,
    ],
    [
      "symbolic dims",
      () => input("b", ["batch", 4]).add(input("t", ["time", 4]) as never),
      /^add: dims "batch" and "time" at axis -2 do not broadcast; operands float32\["batch", 4\], float32\["time", 4\]/,
    ],
    ["not a tensor", () => m34.add({} as never), /^add: operand 1 is not a Tensor \(got Object\)/],
  ];
  for (const [name, build, message] of cases) {
    test(name, () => {
      expect(build).toThrow(message);
    });
  }

  test("leaves check their arguments", () => {
    expect(() => input("", [3])).toThrow(/input: name must be a non-empty string/);
    expect(() => input("x", [3, -1])).toThrow(/shape must be an array of non-negative integers and dim names, got \[3,-1\]/);
    expect(() => param("W", [2, 2], { init: [1, 2, 3] })).toThrow(/param "W": init has 3 values, shape \[2, 2\] needs 4/);
    expect(() => param("W", ["batch", 2] as never)).toThrow(/a param needs a concrete shape/);
  });

  test("grad explains what it needs", () => {
    const y = m34.mul(2);
    expect(() => grad(y, [m34])).toThrow(/grad: y must be a scalar \(got shape \[3, 4\]\); reduce it with sum\(\) or mean\(\), or pass a seed/);
    expect(() => grad(sum(y), [input("i", [3], "int32")])).toThrow(/grad: xs\[0\] is int32; only float32 tensors have gradients/);
  });
});

describe("evaluation errors", () => {
  const x = input("x", ["batch", 3]);
  const labels = input("labels", ["batch"], "int32");
  const y = x.sum(1).add(labels.cast("float32"));

  test("missing feed", () => {
    expect(() => evaluate(y, { x: [1, 2, 3] }, { batch: 1 })).toThrow(/evaluate: missing feed for input "labels": expected int32\[1\]/);
  });
  test("wrong length", () => {
    expect(() => evaluate(y, { x: [1, 2, 3, 4], labels: [0] }, { batch: 1 })).toThrow(/input "x": expected float32\[1, 3\] \(3 values\), got 4 values/);
  });
  test("wrong dtype: a Float32Array into an int32 input, and non-integers", () => {
    expect(() => evaluate(y, { x: [1, 2, 3], labels: Float32Array.of(1) }, { batch: 1 })).toThrow(/input "labels": expected int32 data .*got Float32Array/);
    expect(() => evaluate(y, { x: [1, 2, 3], labels: [0.5] }, { batch: 1 })).toThrow(/input "labels": element 0 is 0.5, expected an int32/);
    expect(() => evaluate(y, { x: Int32Array.of(1, 2, 3), labels: [0] }, { batch: 1 })).toThrow(/input "x": expected float32 data .*got Int32Array/);
    expect(() => evaluate(y, { x: "abc" as never, labels: [0] }, { batch: 1 })).toThrow(/input "x": expected an array of float32\[1, 3\]/);
  });
  test("unbound or bad symbolic dims", () => {
    expect(() => evaluate(y, { x: [1, 2, 3], labels: [0] })).toThrow(/symbolic dim "batch" is unbound; pass its size, e.g. \{ "batch": 32 \}/);
    expect(() => evaluate(y, { x: [1, 2, 3], labels: [0] }, { batch: 1.5 })).toThrow(/size of "batch" must be a non-negative integer, got 1.5/);
  });
  test("two leaves with one name", () => {
    expect(() => evaluate(input("x", [3]).add(input("x", [1])), { x: [1, 2, 3] })).toThrow(/two leaves are named "x"/);
  });
});

test("nothing passed in is mutated: feeds, sizes, param inits", () => {
  const init = Float64Array.of(0.5, -0.25, 1, 2);
  const W = param("W", [2, 2], { init });
  const x = input("x", ["batch", 2]);
  const loss = sum(x.matmul(W).tanh());
  const xv = Float32Array.of(1, 2, 3, 4);
  const feeds = Object.freeze({ x: xv });
  const sizes = Object.freeze({ batch: 2 });
  const before = { xv: Array.from(xv), init: Array.from(init) };
  const [, gW] = evaluate([loss, ...grad(loss, [W])], feeds, sizes);
  expect(checkGrad(loss, [W, x], { feeds, sizes }).ok).toBe(true);
  expect(Array.from(xv)).toEqual(before.xv);
  expect(Array.from(init)).toEqual(before.init);
  expect(sizes).toEqual({ batch: 2 });
  // A result is a fresh copy: writing to it changes no later evaluation.
  gW.fill(0);
  expect(Array.from(evaluate(grad(loss, [W])[0], feeds, sizes))).not.toEqual([0, 0, 0, 0]);
  expect(W.shape).toEqual([2, 2]);
});

test("nested arrays are fed in row-major order and still checked for size", () => {
  const m = input("m", [2, 2]);
  expect(
    Array.from(
      evaluate(m.mul(10), {
        m: [
          [1, 2],
          [3, 4],
        ],
      }),
    ),
  ).toEqual([10, 20, 30, 40]);
  expect(() => evaluate(m, { m: [[1, 2], [3]] })).toThrow(/input "m": expected float32\[2, 2\] \(4 values\), got 3 values/);
});
