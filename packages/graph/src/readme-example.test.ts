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
