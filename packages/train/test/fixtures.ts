/** Seeded data and small models shared by the tests. */
import { input, mulberry32, type AnyTensor } from "@gradfold/graph";
import { crossEntropy, defineModel, dense, dropout, type FloatTensor } from "@gradfold/nn";
import { adam, sgd } from "@gradfold/optimizers";
import { compileModel, type CompiledModel, type UpdateRule } from "../src/index.ts";

export const x = input("x", ["batch", 4]);
export const y = input("y", ["batch"], "int32");

/** `rows` points in 4-d, three classes by the sign pattern of the first two coordinates. */
export function blobs(rows: number, seed = 1): { x: Float32Array; y: Int32Array } {
  const random = mulberry32(seed);
  const xs = new Float32Array(rows * 4);
  const ys = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < 4; k++) xs[r * 4 + k] = 2 * random() - 1;
    ys[r] = xs[r * 4] > 0 ? (xs[r * 4 + 1] > 0 ? 0 : 1) : 2;
  }
  return { x: xs, y: ys };
}

/** A 4-8-3 MLP, optionally with dropout after the hidden layer. */
export const network = (rate = 0) =>
  defineModel((h: FloatTensor) => {
    const hidden = dense(h, 8, { activation: "tanh" }).output;
    return dense(rate > 0 ? dropout(hidden, { rate, seed: 3 }).output : hidden, 3);
  });

export function classifier(options: { rate?: number; batch?: number; optimizer?: UpdateRule } = {}) {
  return compileModel({
    network: network(options.rate ?? 0),
    inputs: x,
    targets: [y as AnyTensor],
    loss: (output) => crossEntropy(output, y) as FloatTensor,
    optimizer: options.optimizer ?? adam({ lr: 0.05 }),
    sizes: { batch: options.batch ?? 16 },
  });
}

export { adam, sgd };

/** Every param and state slot, as plain arrays: for comparing a model's whole state. */
export const stateOf = (model: CompiledModel) => model.names().map((n) => [n, Array.from(model.read(n))] as const);

export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
