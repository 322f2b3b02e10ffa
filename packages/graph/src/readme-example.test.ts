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
  const expected = byHand(feeds.x, [2, 0]);
  expect(lossValue[0]).toBeCloseTo(expected.loss, 12);
  expect(Array.from(gW1Value)).toEqual(expected.gW1.map((v) => expect.closeTo(v, 12)));
  expect(Array.from(gW2Value)).toEqual(expected.gW2.map((v) => expect.closeTo(v, 12)));
  expect(checkGrad(loss, [W1, W2], { feeds, sizes: { batch: 2 } }).ok).toBe(true);
  expect(format(loss).split("\n").at(-1)).toBe("return %12");
});

/** The same two-layer network and its backward pass in plain loops (b1 starts at zero). */
function byHand(x: readonly number[], labels: readonly number[]): { loss: number; gW1: number[]; gW2: number[] } {
  const [batch, nIn, nHidden, nOut] = [labels.length, 4, 8, 3];
  const w1 = (i: number, j: number) => Math.sin(i * nHidden + j) / 2;
  const w2 = (i: number, j: number) => Math.cos(i * nOut + j) / 2;
  const gW1 = new Array(nIn * nHidden).fill(0);
  const gW2 = new Array(nHidden * nOut).fill(0);
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    const h = Array.from({ length: nHidden }, (_, j) => Math.tanh(Array.from({ length: nIn }, (_, i) => x[b * nIn + i] * w1(i, j)).reduce((s, v) => s + v, 0)));
    const z = Array.from({ length: nOut }, (_, k) => h.reduce((s, hj, j) => s + hj * w2(j, k), 0));
    const total = z.reduce((s, v) => s + Math.exp(v), 0);
    loss += (Math.log(total) - z[labels[b]]) / batch;
    // d loss / d z = (softmax − onehot) / batch, then back through W2 and tanh.
    const dz = z.map((v, k) => (Math.exp(v) / total - (k === labels[b] ? 1 : 0)) / batch);
    for (let j = 0; j < nHidden; j++) {
      for (let k = 0; k < nOut; k++) gW2[j * nOut + k] += h[j] * dz[k];
      const dh = dz.reduce((s, d, k) => s + d * w2(j, k), 0) * (1 - h[j] * h[j]);
      for (let i = 0; i < nIn; i++) gW1[i * nHidden + j] += x[b * nIn + i] * dh;
    }
  }
  return { loss, gW1, gW2 };
}

test("README CNN example: shapes, types and a gradient through conv and pooling", async () => {
  const { conv2d, maxPool2d } = await import("./index.ts");
  // A deterministic stand-in with He's scale: fan-in is every axis but the last.
  const heNormal = (s: readonly number[]) => Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i) * Math.sqrt(2 / s.slice(0, -1).reduce((a, b) => a * b, 1)));
  const x = input("x", ["batch", 28, 28, 1]);
  const w1 = param("w1", [5, 5, 1, 32], { init: heNormal });
  const b1 = param("b1", [32]);
  const w2 = param("w2", [5, 5, 32, 64], { init: heNormal });
  const Wd = param("Wd", [7 * 7 * 64, 10], { init: heNormal });
  const h1: Tensor<["batch", number, number, 32], "float32"> = maxPool2d(conv2d(x, w1, { padding: "same" }).add(b1).relu(), 2);
  const h2 = maxPool2d(h1.conv2d(w2, { padding: "same" }).relu(), 2);
  expect(h2.shape).toEqual(["batch", 7, 7, 64]);
  const logits: Tensor<["batch", 10], "float32"> = h2.reshape(["batch", 7 * 7 * 64]).matmul(Wd);
  const loss = logits.softmaxCrossEntropy(input("y", ["batch"], "int32")).mean();
  const [gw1] = grad(loss, [w1]);
  expect(gw1.shape).toEqual([5, 5, 1, 32]);
  const image = Array.from({ length: 784 }, (_, i) => Math.cos(i / 7));
  const [l] = evaluate([loss], { x: image, y: Int32Array.of(3) }, { batch: 1 });
  expect(Number.isFinite(l[0])).toBe(true);
});
