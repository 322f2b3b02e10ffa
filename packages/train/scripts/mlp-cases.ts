/**
 * gradfold's side of check_safetensors.py: rebuilds an MLP from a weights.safetensors
 * (dense layers `<name>/W`, `<name>/b` in the order given), loads the file with
 * loadWeights, predicts rows with the compiled model and writes the cases file
 * (x, expected, optionally labels) the Python script compares against.
 *
 *   npx tsx --conditions=source scripts/mlp-cases.ts WEIGHTS OUT --layers dense1,dense2,dense3 --activation relu \
 *     --mnist DIR [--rows 10000]      (MNIST's t10k files in DIR, pixels / 255 as the trainer feeds them)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { input } from "@gradfold/graph";
import { defineModel, dense, type FloatTensor } from "@gradfold/nn";
import { compileModel, decodeSafetensors, encodeSafetensors, loadWeights, predict } from "../src/index.ts";

/** The file check_safetensors.py reads: x [rows, in], gradfold's outputs [rows, out], labels (as float32) if given. */
export function casesFile(x: Float32Array, expected: Float32Array, rows: number, labels?: ArrayLike<number>): Uint8Array {
  const tensors = new Map([
    ["x", { shape: [rows, x.length / rows], data: x }],
    ["expected", { shape: [rows, expected.length / rows], data: expected }],
  ]);
  if (labels) tensors.set("labels", { shape: [rows], data: Float32Array.from(labels) });
  return encodeSafetensors(tensors);
}

/** gradfold's predictions for `x` from an MLP rebuilt from the weights file. */
export function mlpPredictions(weights: Uint8Array, layers: readonly string[], activation: "relu" | "tanh" | "sigmoid", x: Float32Array, rows: number): Float32Array {
  const file = decodeSafetensors(weights);
  const shapeOf = (name: string) => {
    const t = file.tensors.get(name);
    if (!t) throw new Error(`the weights file has no ${JSON.stringify(name)}; it has ${JSON.stringify([...file.tensors.keys()])}`);
    return t.shape;
  };
  const features = shapeOf(`${layers[0]}/W`)[0];
  const xs = input("x", ["batch", features]);
  const net = defineModel((h: FloatTensor) =>
    layers.reduce((acc, name, i) => dense(acc, shapeOf(`${name}/W`)[1], { name, ...(i + 1 < layers.length ? { activation } : {}) }).output, h),
  );
  const model = compileModel({
    network: net,
    inputs: xs,
    targets: [],
    loss: (out) => out.mean() as FloatTensor,
    optimizer: { updates: () => [] },
    sizes: { batch: Math.min(rows, 1000) },
  });
  loadWeights(model, weights);
  return predict(model, x).output as Float32Array;
}

function idx(path: string): { dims: number[]; data: Uint8Array } {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: bytes[3] }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, data: bytes.subarray(4 + 4 * dims.length) };
}

function main(argv: string[]) {
  const [weightsPath, out] = argv;
  const option = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const layers = option("layers")?.split(",");
  const mnist = option("mnist");
  if (!weightsPath || !out || !layers || !mnist) throw new Error("usage: mlp-cases.ts WEIGHTS OUT --layers a,b,c [--activation relu] --mnist DIR [--rows N]");
  const images = idx(join(mnist, "t10k-images-idx3-ubyte"));
  const labels = idx(join(mnist, "t10k-labels-idx1-ubyte"));
  const rows = Math.min(Number(option("rows") ?? images.dims[0]), images.dims[0]);
  const features = images.dims[1] * images.dims[2];
  const x = Float32Array.from(images.data.subarray(0, rows * features), (v) => v / 255);
  const expected = mlpPredictions(readFileSync(weightsPath), layers, (option("activation") ?? "relu") as "relu", x, rows);
  writeFileSync(out, casesFile(x, expected, rows, labels.data.subarray(0, rows)));
  console.log(`${rows} rows of ${features} features → ${out}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
