import { input, type AnyTensor, type Tensor } from "@gradfold/graph";
import { expectTypeOf, test } from "vitest";
import { optimize } from "./optimize.ts";
import type { Program } from "./program.ts";

test("outputs come back in the form given", () => {
  const x = input("x", ["batch", 3]);
  expectTypeOf(optimize(x).outputs).toEqualTypeOf<Tensor<["batch", 3], "float32">>();
  expectTypeOf(optimize([x, x] as const).outputs).toEqualTypeOf<[AnyTensor, AnyTensor]>();
  const program: Program = { outputs: { x }, updates: [] };
  expectTypeOf(optimize(program).outputs).toEqualTypeOf<Program["outputs"]>();
  // @ts-expect-error a number is not a graph
  optimize(3);
});
