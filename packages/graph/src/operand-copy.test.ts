import { expect, test } from "vitest";
import { input } from "./ops/leaves.ts";
import { concat } from "./ops/slicing.ts";
import type { AnyTensor } from "./tensor.ts";
import { topoSort } from "./traverse.ts";

test("a node keeps its own copy of its operands: growing the caller's array afterwards changes nothing", () => {
  // DenseNet-style code concatenates a list it keeps appending to; the graph must not alias it.
  const features: AnyTensor[] = [input("x", [2, 3]), input("y", [2, 1])];
  const first = concat(features, 1);
  features.push(first);
  const second = concat(features, 1);
  expect(first.inputs).toHaveLength(2);
  expect(second.inputs).toHaveLength(3);
  expect(topoSort([second])).toHaveLength(4); // x, y, first, second: no cycle
  expect(Object.isFrozen(second.inputs)).toBe(true);
});
