// The README's example, kept runnable (`npx tsx --conditions=source test/readme-example.ts`):
// if this breaks, so does the README.
import { input, mulberry32 } from "@gradfold/graph";
import { accuracy, crossEntropy, defineModel, dense, dropout, type FloatTensor } from "@gradfold/nn";
import { adam } from "@gradfold/optimizers";
import { compileModel, evaluate, fit, loadWeights, predict, saveWeights, type Metric } from "../src/index.ts";

// Data: points in 4-d, three classes by the signs of the first two coordinates.
function blobs(rows: number, seed: number) {
  const random = mulberry32(seed);
  const x = Float32Array.from({ length: rows * 4 }, () => 2 * random() - 1);
  const y = Int32Array.from({ length: rows }, (_, r) => (x[r * 4] > 0 ? (x[r * 4 + 1] > 0 ? 0 : 1) : 2));
  return { x, y };
}

export function main(log: (...args: unknown[]) => void = console.log) {
  const x = input("x", ["batch", 4]);
  const y = input("y", ["batch"], "int32");
  // One model function; dropout follows the entry (on in "train", off in "evaluate"/"predict").
  const net = defineModel((h: FloatTensor) => {
    const hidden = dense(h, 32, { activation: "relu" }).output;
    return dense(dropout(hidden, { rate: 0.1 }).output, 3);
  });
  const model = compileModel({
    network: net,
    inputs: x,
    targets: [y],
    loss: (logits) => crossEntropy(logits, y),
    optimizer: adam({ lr: 0.01 }),
    sizes: { batch: 32 },
  });

  const train = blobs(1000, 1); // 31 batches of 32 and a last one of 8, trained too
  const test = blobs(250, 2);
  const metrics: Record<string, Metric> = { accuracy: ({ output }, data) => accuracy(output, data.y as Int32Array) };
  const history = fit(model, train, {
    epochs: 20,
    seed: 0,
    validation: test,
    metrics,
    earlyStopping: { monitor: "val_loss", patience: 3, restoreBest: true },
    callbacks: { onEpochEnd: (e) => log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, test accuracy ${e.validation?.metrics.accuracy}`) },
  });
  log(history.status, history.message);

  const result = evaluate(model, test, { metrics }); // all 250 rows, no padding
  const one = predict(model, test.x.subarray(0, 4)).output; // one example: logits of 3 classes
  log(`test loss ${result.loss}, accuracy ${result.metrics.accuracy}; first example's logits`, one);

  // Weights in safetensors, for Python's `safetensors.torch.load_file` or another model.
  const bytes = saveWeights(model);
  const copy = compileModel({ network: net, inputs: x, targets: [y], loss: (logits) => crossEntropy(logits, y), optimizer: adam({ lr: 0.01 }), sizes: { batch: 1 } });
  loadWeights(copy, bytes);
  return { history, result, one, copied: predict(copy, test.x.subarray(0, 4)).output, bytes: bytes.length };
}

if (typeof process !== "undefined" && import.meta.url === `file://${process.argv[1]}`) main();
