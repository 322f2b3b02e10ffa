import { evaluate as interpret, type AnyTensor } from "@gradfold/graph";
import { accuracy, batchNorm, crossEntropy, defineModel, dense, dropout, type FloatTensor } from "@gradfold/nn";
import { describe, expect, test } from "vitest";
import { adam, blobs, classifier, network, x, y, maxAbsDiff } from "../test/fixtures.ts";
import { compileModel } from "./compile-model.ts";
import { evaluate, predict } from "./evaluate.ts";
import { fit } from "./fit.ts";
import type { CompiledModel } from "./compiled-model.ts";

const paramsOf = (model: CompiledModel) => Object.fromEntries(model.entries.predict.params.map((p) => [p.name, model.read(p.name)]));

describe("evaluate and predict", () => {
  test("every row counted once, no padding: 37 rows in batches of 16 equal the interpreter on all 37", () => {
    const model = classifier();
    fit(model, blobs(64), { epochs: 2 });
    const data = blobs(37, 2);
    const before = model.names().map((n) => model.read(n));
    const result = evaluate(model, data, { metrics: { accuracy: ({ output }, d) => accuracy(output, d.y as Int32Array) } });
    const infer = network().build(x, { training: false });
    const [loss, logits] = interpret([crossEntropy(infer.output, y), infer.output], { ...data, ...paramsOf(model) }, { batch: 37 });
    expect(result.rows).toBe(37);
    expect(Math.abs(result.loss! - loss[0])).toBeLessThan(1e-5);
    expect(result.metrics.accuracy).toBe(accuracy(logits, data.y));
    // Evaluation updates nothing.
    expect(model.names().map((n) => model.read(n))).toEqual(before);
    // Other batch sizes give the same numbers up to float32 summation order.
    const ones = evaluate(model, data, { batchSize: 1 });
    expect(Math.abs(ones.loss! - loss[0])).toBeLessThan(1e-5);
  });

  test("predict: one row, many rows, a column or a record; outputs concatenated by rows", () => {
    const model = classifier();
    const data = blobs(40, 3);
    const all = predict(model, data.x);
    expect(all.output).toHaveLength(120);
    const infer = network().build(x, { training: false });
    expect(maxAbsDiff(all.output, interpret(infer.output, { x: data.x, ...paramsOf(model) }, { batch: 40 }))).toBeLessThan(1e-5);
    const one = predict(model, { x: data.x.subarray(4, 8) }).output;
    expect(maxAbsDiff(one, all.output.subarray(3, 6))).toBeLessThan(1e-6);
    expect(predict(model, Array.from(data.x.subarray(0, 8)), { batchSize: 1 }).output).toHaveLength(6);
  });

  test("bad calls say what was expected", () => {
    const model = classifier();
    expect(() => evaluate(model, { x: blobs(3).x })).toThrow(/evaluate: data has no column "y"/);
    expect(() => predict(model, { x: blobs(3).x }, { entry: "nope" })).toThrow(/no entry "nope"/);
    expect(() => predict(model, blobs(3).x, { entry: "evaluate" })).toThrow(/has inputs \["x","y"\]; pass them as an object of columns/);
    expect(() => predict(model, new Float32Array(0))).toThrow(/data has no rows/);
    expect(() => evaluate(model, blobs(3), { batchSize: 1.5 })).toThrow(/batchSize must be a positive integer, got 1.5/);
  });
});

describe("compileModel: dropout and batch norm follow the entry, with no wiring", () => {
  const net = defineModel((h: FloatTensor) => {
    const hidden = batchNorm(dense(h, 8, { activation: "relu" }).output).output;
    return dense(dropout(hidden, { rate: 0.5, seed: 2 }).output, 3);
  });
  const build = () =>
    compileModel({
      network: net,
      inputs: x,
      targets: [y as AnyTensor],
      loss: (output) => crossEntropy(output, y) as FloatTensor,
      optimizer: adam({ lr: 0.01 }),
      sizes: { batch: 16 },
    });

  test("train feeds masks and updates running statistics; predict uses them, deterministically", () => {
    const model = build();
    expect(model.entries.train.random).toEqual(["dropout/mask"]);
    expect(model.entries.predict.random).toEqual([]);
    expect(model.entries.predict.params.map((p) => p.name).sort()).toEqual(
      ["batchNorm/beta", "batchNorm/gamma", "batchNorm/runningMean", "batchNorm/runningVar", "dense/W", "dense/b", "dense_1/W", "dense_1/b"].sort(),
    );
    expect(model.read("batchNorm/runningMean")).toEqual(new Float32Array(8));
    fit(model, blobs(50), { epochs: 2 });
    expect(Array.from(model.read("batchNorm/runningMean")).some((v) => v !== 0)).toBe(true);
    const data = blobs(7, 5);
    const a = predict(model, data.x).output.slice();
    expect(predict(model, data.x).output).toEqual(a);
    const infer = net.build(x, { training: false });
    expect(maxAbsDiff(a, interpret(infer.output, { x: data.x, ...paramsOf(model) }, { batch: 7 }))).toBeLessThan(1e-5);
  });

  test("a loss that is not a scalar, or inputs that are not inputs, are errors", () => {
    expect(() => compileModel({ network: net, inputs: x, targets: [y as AnyTensor], loss: (o) => o, optimizer: adam(), sizes: { batch: 4 } })).toThrow(
      /loss must return a scalar tensor, got shape \["batch",3\]/,
    );
    expect(() => compileModel({ network: net, inputs: {} as never, targets: [], loss: (o) => o.sum(), optimizer: adam(), sizes: { batch: 4 } })).toThrow(
      /inputs must be an input tensor/,
    );
  });
});
