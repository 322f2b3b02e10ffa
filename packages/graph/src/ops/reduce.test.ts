import { describe, expect, test } from "vitest";
import { evaluate } from "../evaluate.ts";
import { constant, input } from "./leaves.ts";
import { max, mean, min, sum } from "./reduce.ts";

// x[i][j][k] = 100i + 10j + k, shape [2, 3, 4]
const data = Array.from({ length: 24 }, (_, n) => 100 * Math.floor(n / 12) + 10 * Math.floor((n % 12) / 4) + (n % 4));
const x = constant(data, [2, 3, 4]);
const byHand = (f: (i: number, j: number, k: number) => number, shape: number[]) => {
  const out: number[] = [];
  const [a, b, c] = [...shape, 1, 1, 1];
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let k = 0; k < c; k++) out.push(f(i, j, k));
  return out;
};
const at = (i: number, j: number, k: number) => 100 * i + 10 * j + k;

describe("reductions", () => {
  test("sum over everything is a scalar", () => {
    const s = sum(x);
    expect(s.shape).toEqual([]);
    expect(Array.from(evaluate(s))).toEqual([data.reduce((p, v) => p + v, 0)]);
  });
  test("sum over axis 1, dropped or kept", () => {
    const expected = byHand((i, k) => at(i, 0, k) + at(i, 1, k) + at(i, 2, k), [2, 4]);
    expect(sum(x, 1).shape).toEqual([2, 4]);
    expect(Array.from(evaluate(sum(x, 1)))).toEqual(expected);
    expect(sum(x, 1, true).shape).toEqual([2, 1, 4]);
    expect(Array.from(evaluate(sum(x, 1, true)))).toEqual(expected);
  });
  test("negative axes count from the end; several axes at once", () => {
    expect(sum(x, -1).shape).toEqual([2, 3]);
    expect(Array.from(evaluate(sum(x, -1)))).toEqual(byHand((i, j) => 4 * at(i, j, 0) + 6, [2, 3]));
    expect(sum(x, [0, -1], true).shape).toEqual([1, 3, 1]);
    expect(Array.from(evaluate(sum(x, [-1, 0])))).toEqual(byHand((j) => 8 * 10 * j + 2 * 6 + 4 * 100, [3]));
  });
  test("max and min pick the extreme element per slice", () => {
    expect(Array.from(evaluate(max(x, 0)))).toEqual(byHand((j, k) => at(1, j, k), [3, 4]));
    expect(Array.from(evaluate(min(x, [1, 2], true)))).toEqual([0, 100]);
    expect(min(x, [1, 2], true).shape).toEqual([2, 1, 1]);
  });
  test("mean divides by the reduced count, also when that count is symbolic", () => {
    expect(Array.from(evaluate(mean(x, 2)))).toEqual(byHand((i, j) => at(i, j, 0) + 1.5, [2, 3]));
    const b = input("b", ["batch", 2]);
    const m = mean(b, 0);
    expect(m.shape).toEqual([2]);
    expect(Array.from(evaluate(m, { b: [1, 2, 3, 4, 5, 6] }, { batch: 3 }))).toEqual([3, 4]);
  });
  test("mean of integers asks for a cast", () => {
    expect(() => mean(input("i", [3], "int32"))).toThrow(/mean: expected float32, got int32; cast first; operands int32\[3\]/);
  });
  test("out-of-range and repeated axes are rejected at construction", () => {
    expect(() => sum(x, 3 as never)).toThrow(/sum: axis 3 is out of range for rank 3/);
    expect(() => sum(x, -4 as never)).toThrow(/out of range/);
    expect(() => max(x, [1, -2] as never)).toThrow(/repeated axis/);
  });
});
