import { input, type AnyTensor } from "@gradfold/graph";
import { crossEntropy, defineModel, dense, dropout, type FloatTensor } from "@gradfold/nn";
import { adam } from "@gradfold/optimizers";
import { describe, expect, test } from "vitest";
import { blobs, stateOf } from "../test/fixtures.ts";
import { compileModel } from "./compile-model.ts";
import { fit } from "./fit.ts";
import { compileModelThreaded, threadedCompiler } from "./node.ts";

// Wide enough that the pool splits its matmuls (2·64·256·128 flops is past the 2e6 threshold).
const x = input("x", ["batch", 4]);
const y = input("y", ["batch"], "int32");
const net = defineModel((h: FloatTensor) => {
  const a = dense(h, 256, { activation: "relu" }).output;
  const b = dense(dropout(a, { rate: 0.2 }).output, 128, { activation: "relu" }).output;
  return dense(b, 3);
});
const modelOf = (threads: number) =>
  compileModelThreaded(
    { network: net, inputs: x, targets: [y as AnyTensor], loss: (o) => crossEntropy(o, y) as FloatTensor, optimizer: adam({ lr: 0.01 }), sizes: { batch: 64 } },
    { threads },
  );

describe("@gradfold/train/node", () => {
  test("two threads train bit-identically to one, the last partial batch and validation included", async () => {
    const data = blobs(150, 4);
    const validation = blobs(70, 5);
    const runs = [];
    for (const threads of [1, 2]) {
      const model = await modelOf(threads);
      await model.prepare({ batch: 150 % 64 });
      const history = fit(model, data, { epochs: 2, seed: 3, validation });
      runs.push({ losses: history.epochs.map((e) => [e.loss, e.validation?.loss]), state: stateOf(model) });
      await model.close();
    }
    expect(runs[1]).toEqual(runs[0]);
  });

  test("threads must be a positive integer", () => {
    expect(() => threadedCompiler(0)).toThrow(/threads must be a positive integer, got 0/);
    expect(() => threadedCompiler(1.5)).toThrow(/got 1.5/);
    const spec = { network: net, inputs: x, targets: [y as AnyTensor], loss: (o: FloatTensor) => crossEntropy(o, y) as FloatTensor, optimizer: adam(), sizes: { batch: 64 } };
    expect(() => compileModel(spec, { compiler: threadedCompiler(2) })).toThrow(/returned a Promise; use compileModelAsync/);
  });
});
