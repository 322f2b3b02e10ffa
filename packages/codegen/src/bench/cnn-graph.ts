import { conv2d, grad, input, maxPool2d, mean, param, softmaxCrossEntropy, type AnyTensor } from "@gradfold/graph";
import type { StepSpec } from "../spec.ts";
import { randomF32, randomLabels, rng } from "../testing/mlp.ts";

/**
 * Issue 15's bench CNN as a codegen step spec (the same net as apps/bench's
 * cnn-b128-adam, here with SGD so the scripts time conv work, not Adam's): conv 5×5×32
 * "same" → relu → max pool 2 → conv 5×5×64 "same" → relu → max pool 2 → dense 128 →
 * relu → dense 10, mean softmax cross-entropy, lr 0.05. He-uniform init from a fixed
 * seed; `feeds` is one random batch of 28×28×1 images and labels.
 */
export function cnnStep(batch: number, seed = 3): { spec: StepSpec; feeds: { x: Float32Array; y: Int32Array } } {
  const random = rng(seed);
  const he = (shape: number[], fanIn: number) =>
    randomF32(
      shape.reduce((a, b) => a * b, 1),
      random,
      Math.sqrt(6 / fanIn),
    );
  const x = input("x", ["batch", 28, 28, 1]);
  const y = input("y", ["batch"], "int32");
  const w1 = param("w1", [5, 5, 1, 32], { init: he([5, 5, 1, 32], 25) });
  const b1 = param("b1", [32], { init: 0 });
  const w2 = param("w2", [5, 5, 32, 64], { init: he([5, 5, 32, 64], 800) });
  const b2 = param("b2", [64], { init: 0 });
  const w3 = param("w3", [7 * 7 * 64, 128], { init: he([3136, 128], 3136) });
  const b3 = param("b3", [128], { init: 0 });
  const w4 = param("w4", [128, 10], { init: he([128, 10], 128) });
  const b4 = param("b4", [10], { init: 0 });
  const h1 = maxPool2d(conv2d(x, w1, { padding: "same" }).add(b1).relu(), 2);
  const h2 = maxPool2d(conv2d(h1, w2, { padding: "same" }).add(b2).relu(), 2);
  const h3 = h2.reshape(["batch", 3136]).matmul(w3).add(b3).relu();
  const loss = mean(softmaxCrossEntropy(h3.matmul(w4).add(b4), y));
  const params: AnyTensor[] = [w1, b1, w2, b2, w3, b3, w4, b4];
  const grads = grad(loss, params);
  const updates = params.map((p, i) => [p, p.sub(grads[i].mul(0.05))] as const);
  const feeds = { x: randomF32(batch * 784, random), y: randomLabels(batch, 10, random) };
  return { spec: { inputs: [x, y], outputs: { loss }, updates, sizes: { batch } }, feeds };
}
