// Bundled for Chromium by browser.test.ts: the README example's run, and fitAsync against fit
// (a browser has no setImmediate: fitAsync's pauses are MessageChannel messages there), their
// numbers written into the page.
import { input, mulberry32 } from "@gradfold/graph";
import { crossEntropy, defineModel, dense, type FloatTensor } from "@gradfold/nn";
import { adam } from "@gradfold/optimizers";
import { compileModel, fit, fitAsync } from "../src/index.ts";
import { main } from "./readme-example.ts";

function tinyModel() {
  const x = input("x", ["batch", 4]);
  const y = input("y", ["batch"], "int32");
  const net = defineModel((h: FloatTensor) => dense(dense(h, 8, { activation: "relu" }).output, 3));
  return compileModel({ network: net, inputs: x, targets: [y], loss: (logits) => crossEntropy(logits, y), optimizer: adam({ lr: 0.01 }), sizes: { batch: 16 } });
}

async function fitAsyncAgainstFit() {
  const random = mulberry32(3);
  const x = Float32Array.from({ length: 200 * 4 }, () => 2 * random() - 1);
  const data = { x, y: Int32Array.from({ length: 200 }, (_, r) => (x[r * 4] > 0 ? 0 : x[r * 4 + 1] > 0 ? 1 : 2)) };
  const sync = fit(tinyModel(), data, { epochs: 3, seed: 1 });
  const async = await fitAsync(tinyModel(), data, { epochs: 3, seed: 1, yieldMs: 0 });
  return { syncLosses: sync.epochs.map((e) => e.loss), asyncLosses: async.epochs.map((e) => e.loss), asyncStatus: async.status };
}

const { history, result, one } = main(() => {});
const asyncRun = await fitAsyncAgainstFit();
// The ES lib this package compiles against has no DOM types.
const page = globalThis as unknown as { document: { body: { textContent: string } } };
page.document.body.textContent = JSON.stringify({ losses: history.epochs.map((e) => e.loss), status: history.status, result, one: Array.from(one), ...asyncRun });
