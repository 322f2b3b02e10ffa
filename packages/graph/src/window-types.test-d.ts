/**
 * Static shapes of conv and pooling: batch (named or literal) and channel dims stay
 * literal, spatial dims widen to number; mistakes in rank and channels are rejected
 * (`// @ts-expect-error` fails the type check if a rule stops rejecting).
 */
import { describe, expectTypeOf, test } from "vitest";
import { avgPool2d, conv2d, globalAvgPool2d, input, maxPool2d, param, type Tensor } from "./index.ts";

const x = input("x", ["batch", 28, 28, 1]);
const w1 = param("w1", [5, 5, 1, 32], { init: 0 });
const w2 = param("w2", [5, 5, 32, 64], { init: 0 });

describe("conv2d and pooling types", () => {
  test("a LeNet-style stack keeps batch and channels", () => {
    const h1 = conv2d(x, w1, { padding: "same" }).relu();
    expectTypeOf(h1).toEqualTypeOf<Tensor<["batch", number, number, 32], "float32">>();
    const p1 = maxPool2d(h1, 2);
    expectTypeOf(p1).toEqualTypeOf<Tensor<["batch", number, number, 32], "float32">>();
    const h2 = p1.conv2d(w2).relu().avgPool2d(2);
    expectTypeOf(h2).toEqualTypeOf<Tensor<["batch", number, number, 64], "float32">>();
    expectTypeOf(globalAvgPool2d(h2)).toEqualTypeOf<Tensor<["batch", 64], "float32">>();
    expectTypeOf(h2.globalAvgPool2d()).toEqualTypeOf<Tensor<["batch", 64], "float32">>();
  });

  test("literal batch and grouped convs", () => {
    const y = conv2d(input("a", [8, 9, 9, 6]), input("k", [3, 3, 2, 12]), { groups: 3 });
    expectTypeOf(y).toEqualTypeOf<Tensor<[8, number, number, 12], "float32">>();
  });

  test("mistakes are rejected", () => {
    // @ts-expect-error input channels 1 vs the filter's 32
    conv2d(x, w2);
    // @ts-expect-error the same as a method
    x.conv2d(w2);
    // @ts-expect-error rank-3 input
    conv2d(input("v", [28, 28, 1]), w1);
    // @ts-expect-error rank-2 filter
    conv2d(x, input("k", [5, 5]));
    // @ts-expect-error pooling a rank-2 tensor
    maxPool2d(input("m", [3, 4]), 2);
    // @ts-expect-error pooling a rank-2 tensor, as a function
    avgPool2d(input("m", [3, 4]), 2);
    // @ts-expect-error int32 filter for a float32 input
    conv2d(x, input("k", [5, 5, 1, 3], "int32"));
  });

  test("groups switch the channel check off", () => {
    const y = conv2d(input("a", [1, 5, 5, 4]), input("k", [3, 3, 2, 4]), { groups: 2 });
    expectTypeOf(y).toEqualTypeOf<Tensor<[1, number, number, 4], "float32">>();
  });
});
