import { expect, test } from "vitest";
import { evaluate } from "../evaluate.ts";
import { cast } from "./cast.ts";
import { equal, greater, greaterEqual, less, lessEqual, notEqual, where } from "./compare.ts";
import { constant } from "./leaves.ts";

const a = constant([1, 2, 3]);
const b = constant([2, 2, 2]);

test("comparisons give bool 0/1 with ties where they belong", () => {
  expect(less(a, b).dtype).toBe("bool");
  expect(Array.from(evaluate(less(a, b)))).toEqual([1, 0, 0]);
  expect(Array.from(evaluate(lessEqual(a, b)))).toEqual([1, 1, 0]);
  expect(Array.from(evaluate(greater(a, b)))).toEqual([0, 0, 1]);
  expect(Array.from(evaluate(greaterEqual(a, b)))).toEqual([0, 1, 1]);
  expect(Array.from(evaluate(equal(a, b)))).toEqual([0, 1, 0]);
  expect(Array.from(evaluate(notEqual(a, b)))).toEqual([1, 0, 1]);
});

test("where broadcasts condition and branches", () => {
  const cond = greater(constant([[1], [-1]]), 0); // [2, 1]
  const y = where(cond, constant([10, 20, 30]), -1);
  expect(y.shape).toEqual([2, 3]);
  expect(Array.from(evaluate(y))).toEqual([10, 20, 30, -1, -1, -1]);
});

test("cast rounds toward zero into int32, to 0/1 into bool, and to float32 precision", () => {
  const x = constant([-1.7, -0.2, 0.5, 2.9]);
  expect(Array.from(evaluate(cast(x, "int32")))).toEqual([-1, 0, 0, 2]);
  expect(Array.from(evaluate(cast(x, "bool")))).toEqual([1, 1, 1, 1]);
  expect(Array.from(evaluate(cast(cast(constant([0.1]), "int32"), "float32")))).toEqual([0]);
  expect(cast(x, "float32")).toBe(x);
});

test("where as a method of the condition", () => {
  const x = constant([-1, 2, -3]);
  expect(Array.from(evaluate(x.greater(0).where(x, 0)))).toEqual([0, 2, 0]);
});
