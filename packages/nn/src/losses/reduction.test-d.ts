import { input, type Shape, type Tensor } from "@gradfold/graph";
import { expectTypeOf, test } from "vitest";
import { crossEntropy } from "./cross-entropy.ts";
import { klDivergence } from "./kl-divergence.ts";
import { squaredError } from "./regression.ts";

const a = input("a", ["batch", 3]);
const b = input("b", ["batch", 3]);
const labels = input("labels", ["batch"], "int32");

test("reductions are reflected in the result type", () => {
  expectTypeOf(squaredError(a, b)).toEqualTypeOf<Tensor<[], "float32">>();
  expectTypeOf(squaredError(a, b, { reduction: "sum" })).toEqualTypeOf<Tensor<[], "float32">>();
  expectTypeOf(squaredError(a, b, { reduction: "none" })).toEqualTypeOf<Tensor<Shape, "float32">>();
  expectTypeOf(crossEntropy(a, labels)).toEqualTypeOf<Tensor<[], "float32">>();
  expectTypeOf(klDivergence(a, b, { reduction: "batchmean" })).toEqualTypeOf<Tensor<[], "float32">>();
  // @ts-expect-error an unknown reduction is a type error
  squaredError(a, b, { reduction: "avg" });
});
