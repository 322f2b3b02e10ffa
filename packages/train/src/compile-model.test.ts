import { compile } from "@gradfold/codegen";
import { evaluate as interpret } from "@gradfold/graph";
import { crossEntropy, type FloatTensor } from "@gradfold/nn";
import { describe, expect, test } from "vitest";
import { adam, blobs, classifier, maxAbsDiff, network, stateOf, x, y } from "../test/fixtures.ts";
import { compileModel } from "./compile-model.ts";
import { evaluate } from "./evaluate.ts";

/** The inference graph of the fixture network evaluated in float64 with the model's current params. */
function reference(model: ReturnType<typeof classifier>, xs: Float32Array, rows: number): Float64Array {
  const infer = network().build(x, { training: false });
  const params = Object.fromEntries(model.entries.predict.params.map((p) => [p.name, model.read(p.name)]));
  return interpret(infer.output, { x: xs, ...params }, { batch: rows });
}

describe("compileModel: one codegen model, train/evaluate/predict over one set of params", () => {
  test("predict sees what train just updated, with no syncing by the user", () => {
    const model = classifier();
    const data = blobs(16);
    const before = model.run("predict", { x: data.x }).output.slice();
    expect(maxAbsDiff(before, reference(model, data.x, 16))).toBeLessThan(1e-5);
    for (let i = 0; i < 3; i++) model.run("train", data);
    const after = model.run("predict", { x: data.x }).output.slice();
    expect(maxAbsDiff(after, before)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(after, reference(model, data.x, 16))).toBeLessThan(1e-5);
    model.run("train", data);
    expect(model.read("adam/step")[0]).toBe(4);
  });

  test("batch sizes 1, 37 and 128 agree with the float64 interpreter and with evaluate()", () => {
    const model = classifier();
    model.run("train", blobs(16));
    for (const rows of [1, 37, 128]) {
      const data = blobs(rows, rows);
      const out = model.run("predict", { x: data.x }, { batch: rows }).output.slice();
      expect(out).toHaveLength(rows * 3);
      expect(maxAbsDiff(out, reference(model, data.x, rows))).toBeLessThan(1e-5);
      // evaluate() in batches of 16 (the last one smaller) gives the same outputs, bit for bit.
      expect(evaluate(model, data, { keepOutputs: true }).outputs!.output).toEqual(out);
    }
    expect(model.specializations()).toMatchObject({ limit: 8 });
  });

  test("training at another batch size is bit-identical to a model compiled for it", () => {
    const model = classifier();
    const direct = compileModel({
      network: network(),
      inputs: x,
      targets: [y],
      loss: (o) => crossEntropy(o, y) as FloatTensor,
      optimizer: adam({ lr: 0.05 }),
      sizes: { batch: 37 },
    });
    const data = blobs(37, 5);
    for (let i = 0; i < 3; i++) expect(model.run("train", data, { batch: 37 }).loss[0]).toBe(direct.run("train", data).loss[0]);
    expect(stateOf(model)).toEqual(stateOf(direct));
    // And the base entries at 16 continue from there.
    expect(model.run("predict", { x: blobs(16).x }).output).toEqual(direct.run("predict", { x: blobs(16).x }, { batch: 16 }).output);
  });

  test("read/write by name across entries; bad names, lengths and sizes are errors that change nothing", () => {
    const model = classifier();
    expect(model.names()).toEqual(expect.arrayContaining(["dense/W", "dense/b", "dense_1/W", "dense_1/b", "adam/step"]));
    expect(model.entries.predict.params.map((p) => p.name)).toEqual(["dense/W", "dense/b", "dense_1/W", "dense_1/b"]);
    expect(model.entries.predict.params.find((p) => p.name === "dense/W")?.shape).toEqual([4, 8]);
    const w = model.read("dense/W");
    w[0] = 123; // a copy
    expect(model.read("dense/W")[0]).not.toBe(123);
    model.write("dense/W", new Float32Array(32).fill(0.5));
    const out = model.run("predict", { x: blobs(16).x }).output;
    expect(maxAbsDiff(out, reference(model, blobs(16).x, 16))).toBeLessThan(1e-5);
    expect(() => model.read("nope")).toThrow(/unknown param "nope"/);
    expect(() => model.write("dense/W", [1, 2])).toThrow(/32.*got.* 2 values/);
    expect(model.read("dense/W")).toEqual(new Float32Array(32).fill(0.5));
    expect(() => model.run("tarin", {})).toThrow(/no entry "tarin"; it has \["train","evaluate","predict"\]/);
    const before = stateOf(model);
    expect(() => model.run("predict", { x: blobs(2).x }, { batch: 0 })).toThrow(/size of "batch" must be a positive integer, got 0/);
    expect(() => model.run("train", { x: blobs(16).x })).toThrow(/missing feed for input "y"/);
    expect(() => model.run("train", blobs(5), { batch: 6 })).toThrow(/sizes \{"batch":6\} make its shape \[6, 4\]/);
    expect(stateOf(model)).toEqual(before);
  });

  test("an async compiler needs compileModelAsync; a compiler's options reach it", () => {
    const spec = { network: network(), inputs: x, targets: [y], loss: (o: FloatTensor) => crossEntropy(o, y) as FloatTensor, optimizer: adam(), sizes: { batch: 4 } };
    expect(() => compileModel(spec, { compiler: async (s, o) => compile(s, o) })).toThrow(/returned a Promise; use compileModelAsync/);
    const seen: unknown[] = [];
    compileModel(spec, {
      checkNumerics: true,
      compiler: (s, o) => {
        seen.push(o);
        return compile(s, o);
      },
    });
    expect(seen).toEqual([{ checkNumerics: true }]);
  });
});
