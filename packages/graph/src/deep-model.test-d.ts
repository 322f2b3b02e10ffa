/**
 * A 20-layer model written as one chain of method calls with literal widths: the
 * static shape types must stay within the compiler's limits (no "excessively deep"
 * errors) and still infer every layer's shape.
 */
import { expectTypeOf, test } from "vitest";
import { grad, input, param, softmaxCrossEntropy, type Tensor } from "./index.ts";

test("20 dense layers infer [batch, 10] and grads keep each param's type", () => {
  const x = input("x", ["batch", 784]);
  const labels = input("labels", ["batch"], "int32");
  const W0 = param("W0", [784, 512]);
  const b0 = param("b0", [512]);
  const W1 = param("W1", [512, 500]);
  const b1 = param("b1", [500]);
  const W2 = param("W2", [500, 480]);
  const b2 = param("b2", [480]);
  const W3 = param("W3", [480, 460]);
  const b3 = param("b3", [460]);
  const W4 = param("W4", [460, 440]);
  const b4 = param("b4", [440]);
  const W5 = param("W5", [440, 420]);
  const b5 = param("b5", [420]);
  const W6 = param("W6", [420, 400]);
  const b6 = param("b6", [400]);
  const W7 = param("W7", [400, 380]);
  const b7 = param("b7", [380]);
  const W8 = param("W8", [380, 360]);
  const b8 = param("b8", [360]);
  const W9 = param("W9", [360, 340]);
  const b9 = param("b9", [340]);
  const W10 = param("W10", [340, 320]);
  const b10 = param("b10", [320]);
  const W11 = param("W11", [320, 300]);
  const b11 = param("b11", [300]);
  const W12 = param("W12", [300, 280]);
  const b12 = param("b12", [280]);
  const W13 = param("W13", [280, 260]);
  const b13 = param("b13", [260]);
  const W14 = param("W14", [260, 240]);
  const b14 = param("b14", [240]);
  const W15 = param("W15", [240, 220]);
  const b15 = param("b15", [220]);
  const W16 = param("W16", [220, 200]);
  const b16 = param("b16", [200]);
  const W17 = param("W17", [200, 180]);
  const b17 = param("b17", [180]);
  const W18 = param("W18", [180, 160]);
  const b18 = param("b18", [160]);
  const W19 = param("W19", [160, 10]);
  const b19 = param("b19", [10]);
  const logits = x
    .matmul(W0)
    .add(b0)
    .relu()
    .matmul(W1)
    .add(b1)
    .relu()
    .matmul(W2)
    .add(b2)
    .relu()
    .matmul(W3)
    .add(b3)
    .relu()
    .matmul(W4)
    .add(b4)
    .relu()
    .matmul(W5)
    .add(b5)
    .relu()
    .matmul(W6)
    .add(b6)
    .relu()
    .matmul(W7)
    .add(b7)
    .relu()
    .matmul(W8)
    .add(b8)
    .relu()
    .matmul(W9)
    .add(b9)
    .relu()
    .matmul(W10)
    .add(b10)
    .relu()
    .matmul(W11)
    .add(b11)
    .relu()
    .matmul(W12)
    .add(b12)
    .relu()
    .matmul(W13)
    .add(b13)
    .relu()
    .matmul(W14)
    .add(b14)
    .relu()
    .matmul(W15)
    .add(b15)
    .relu()
    .matmul(W16)
    .add(b16)
    .relu()
    .matmul(W17)
    .add(b17)
    .relu()
    .matmul(W18)
    .add(b18)
    .relu()
    .matmul(W19)
    .add(b19);
  expectTypeOf(logits).toEqualTypeOf<Tensor<["batch", 10], "float32">>();
  const loss = softmaxCrossEntropy(logits, labels).mean();
  expectTypeOf(loss).toEqualTypeOf<Tensor<[], "float32">>();
  const grads = grad(loss, [W0, b0, W10, b10, W19, b19]);
  expectTypeOf(grads[0]).toEqualTypeOf<Tensor<[784, 512], "float32">>();
  expectTypeOf(grads[3]).toEqualTypeOf<Tensor<[320], "float32">>();
  expectTypeOf(grads[4]).toEqualTypeOf<Tensor<[160, 10], "float32">>();
  // A mistake deep in the chain is still caught.
  const h = x.matmul(W0).add(b0).relu().matmul(W1).add(b1).relu().matmul(W2).add(b2).relu();
  // @ts-expect-error layer 4 expects 480 inputs, W4 takes 460
  h.matmul(W4);
});
