import { describe, expect, test } from "vitest";
import { evaluate } from "../evaluate.ts";
import { add, div, maximum, minimum, mul, pow, sub } from "./binary.ts";
import { constant, input } from "./leaves.ts";

const rows = constant([
  [1, 2, 3],
  [4, 5, 6],
]); // [2, 3]
const col = constant([[10], [20]]); // [2, 1]
const row = constant([100, 200, 300]); // [3]

describe("elementwise broadcasting (numpy rules, right-aligned)", () => {
  test("[2,3] + [3] adds the row to each row", () => {
    expect(Array.from(evaluate(add(rows, row)))).toEqual([101, 202, 303, 104, 205, 306]);
  });
  test("[2,1] * [3] makes the outer product shape [2,3]", () => {
    const p = mul(col, row);
    expect(p.shape).toEqual([2, 3]);
    expect(Array.from(evaluate(p))).toEqual([1000, 2000, 3000, 2000, 4000, 6000]);
  });
  test("[2,3] - [2,1] subtracts per row; scalars broadcast on either side", () => {
    expect(Array.from(evaluate(sub(rows, col)))).toEqual([-9, -8, -7, -16, -15, -14]);
    expect(Array.from(evaluate(sub(1, row)))).toEqual([-99, -199, -299]);
    expect(Array.from(evaluate(div(row, 100)))).toEqual([1, 2, 3]);
  });
  test("a leading 1 broadcasts against a symbolic dim", () => {
    const x = input("x", ["batch", 1, 3]);
    const y = add(x, constant([[1], [2]]));
    expect(y.shape).toEqual(["batch", 2, 3]);
    expect(Array.from(evaluate(y, { x: [0, 0, 0, 1, 1, 1] }, { batch: 2 }))).toEqual([1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3]);
  });
  test("pow, maximum, minimum by hand", () => {
    expect(Array.from(evaluate(pow(constant([4, 9, 2]), constant([0.5, 0.5, 3]))))).toEqual([2, 3, 8]);
    expect(Array.from(evaluate(maximum(constant([1, 5, -2]), 0)))).toEqual([1, 5, 0]);
    expect(Array.from(evaluate(minimum(constant([1, 5, -2]), 2)))).toEqual([1, 2, -2]);
    expect(Array.from(evaluate(maximum(constant([Number.NaN, 1]), 0)))).toEqual([Number.NaN, 1]);
  });
  test("int32 arithmetic keeps int32", () => {
    const i = input("i", [3], "int32");
    const y = add(mul(i, 2), 1);
    expect(y.dtype).toBe("int32");
    expect(Array.from(evaluate(y, { i: Int32Array.of(1, 2, 3) }))).toEqual([3, 5, 7]);
  });
});
