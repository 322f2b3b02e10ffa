// The README's example, kept runnable: if this breaks, so does the README.
import { expect, test } from "vitest";
import { checkGrad, evaluate, format, grad, input, param, type Tensor } from "./index.ts";

test("README example: build, differentiate, evaluate, check, format", () => {
  const x = input("x", ["batch", 4]);
  const y = input("y", ["batch"], "int32");
  const W1 = param("W1", [4, 8], { init: (s) => Array.from({ length: s[0] * s[1] }, (_, i) => Math.sin(i) / 2) });
  const b1 = param("b1", [8]);
  const W2 = param("W2", [8, 3], { init: (s) => Array.from({ length: s[0] * s[1] }, (_, i) => Math.cos(i) / 2) });

  const logits: Tensor<["batch", 3], "float32"> = x.matmul(W1).add(b1).tanh().matmul(W2);
  const loss: Tensor<[], "float32"> = logits.softmaxCrossEntropy(y).mean();
  const [gW1, gW2]: [Tensor<[4, 8], "float32">, Tensor<[8, 3], "float32">] = grad(loss, [W1, W2]);

  const feeds = { x: [0.1, 0.2, 0.3, 0.4, -1, 0, 1, 2], y: Int32Array.of(2, 0) };
  const [lossValue, gW1Value, gW2Value] = evaluate([loss, gW1, gW2], feeds, { batch: 2 });
  expect(lossValue[0]).toBeGreaterThan(0);
  expect(gW1Value.length).toBe(32);
  expect(gW2Value.length).toBe(24);
  expect(checkGrad(loss, [W1, W2], { feeds, sizes: { batch: 2 } }).ok).toBe(true);
  expect(format(loss).split("\n").at(-1)).toBe("return %12");
});
