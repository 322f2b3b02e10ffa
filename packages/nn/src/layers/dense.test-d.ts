import { input, type Dim, type Tensor } from "@gradfold/graph";
import { expectTypeOf, test } from "vitest";
import { dense } from "./dense.ts";
import { mlp } from "./mlp.ts";

test("dense and mlp carry literal shapes through the compiler", () => {
  const x = input("x", ["batch", 784]);
  expectTypeOf(dense(x, 256).output).toEqualTypeOf<Tensor<["batch", 256], "float32">>();
  expectTypeOf(mlp(x, [784, 256, 128, 10]).output).toEqualTypeOf<Tensor<["batch", 10], "float32">>();
  const h = dense(dense(x, 64).output, 3).output;
  expectTypeOf(h).toEqualTypeOf<Tensor<["batch", 3], "float32">>();
  // A wide input gives a wide (but still float32) result.
  const wide = input("w", [4, 5] as Dim[]);
  expectTypeOf(dense(wide, 2).output).toEqualTypeOf<Tensor<Dim[], "float32">>();
});
