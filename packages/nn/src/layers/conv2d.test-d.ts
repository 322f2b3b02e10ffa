import { input, type Tensor } from "@gradfold/graph";
import { expectTypeOf, test } from "vitest";
import { conv2d } from "./conv2d.ts";

test("conv2d keeps the batch and states the filters as the channel dim", () => {
  const x = input("x", ["batch", 28, 28, 1]);
  const h = conv2d(x, 32, { kernelSize: 5, padding: "same" }).output;
  expectTypeOf(h).toEqualTypeOf<Tensor<["batch", number, number, 32], "float32">>();
  expectTypeOf(conv2d(h, 64, { kernelSize: 3 }).output).toEqualTypeOf<Tensor<["batch", number, number, 64], "float32">>();
});
