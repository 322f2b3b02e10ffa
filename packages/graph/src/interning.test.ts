import { expect, test } from "vitest";
import { constant, input, param, scalar } from "./index.ts";

test("structurally equal nodes are the same object", () => {
  const x = input("x", [3]);
  expect(input("x", [3])).toBe(x);
  expect(x.add(1).exp()).toBe(x.add(1).exp());
  expect(x.sum(0, true)).toBe(x.sum(0, true));
  expect(constant([1, 2], [2])).toBe(constant([1, 2], [2]));
  expect(scalar(2)).toBe(scalar(2));
});

test("nodes that differ in any param, input or dtype stay distinct", () => {
  const x = input("x", [3]);
  expect(input("x", [4])).not.toBe(x);
  expect(input("x", [3], "int32")).not.toBe(x);
  expect(x.sum(0, true)).not.toBe(x.sum(0, false));
  expect(scalar(0)).not.toBe(scalar(-0));
  expect(scalar(1, "int32")).not.toBe(scalar(1));
  expect(x.add(1)).not.toBe(x.add(2));
  // Params are state, not values: two params are never merged, even with one name.
  expect(param("p", [2])).not.toBe(param("p", [2]));
});

test("node shapes, inputs and params are frozen", () => {
  const s = input("x", [2, 3]).sum(1);
  expect(Object.isFrozen(s.shape)).toBe(true);
  expect(Object.isFrozen(s.inputs)).toBe(true);
  expect(Object.isFrozen(s.params)).toBe(true);
});
