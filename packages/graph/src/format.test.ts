import { expect, test } from "vitest";
import { format } from "./format.ts";
import { constant, input, mean, param, scalar } from "./index.ts";

test("format lists nodes in evaluation order with params, dtypes and shapes", () => {
  const x = input("x", ["batch", 3]);
  const W = param("W", [3, 2], { init: 0.1 });
  const y = mean(
    x
      .matmul(W)
      .relu()
      .add(constant([1, 2], [2])),
    [0],
  );
  expect(format(y)).toBe(
    [
      '%0 = input "x" : float32["batch", 3]',
      '%1 = param "W" : float32[3, 2]',
      '%2 = matmul(%0, %1) {transA: false, transB: false} : float32["batch", 2]',
      '%3 = relu(%2) : float32["batch", 2]',
      "%4 = constant [1, 2] : float32[2]",
      '%5 = add(%3, %4) : float32["batch", 2]',
      "%6 = sum(%5) {axes: [0], keepdims: false} : float32[2]",
      '%7 = size ["batch"] : float32[]',
      "%8 = div(%6, %7) : float32[2]",
      "return %8",
    ].join("\n"),
  );
});

test("format shows constants compactly and shared nodes once", () => {
  const c = constant(new Array(10).fill(1.5), [10]);
  const z = scalar(-0);
  const i = constant([1, 2, 3, 4, 5, 6, 7], [7], "int32");
  expect(format([c, z, i, c])).toBe(
    ["%0 = constant 1.5 (all 10) : float32[10]", "%1 = constant -0 : float32[]", "%2 = constant [1, 2, 3, 4, 5, 6, …] : int32[7]", "return %0, %1, %2, %0"].join("\n"),
  );
});
