import { compile } from "@gradfold/codegen";
import { evaluate, type AnyTensor } from "@gradfold/graph";
import { crossEntropy, type FloatTensor } from "@gradfold/nn";
import { describe, expect, test } from "vitest";
import { adam, blobs, classifier, network, x, y, maxAbsDiff } from "../test/fixtures.ts";
import { compileEntries } from "./compile-entries.ts";

/** The inference graph of the fixture network evaluated in float64 with the model's current params. */
function reference(model: ReturnType<typeof classifier>, xs: Float32Array, rows: number): Float64Array {
  const infer = network().build(x, { training: false });
  const params = Object.fromEntries(model.entries.predict.params.map((p) => [p.name, model.read(p.name)]));
  return evaluate(infer.output, { x: xs, ...params }, { batch: rows });
}

describe("compileEntries (interim multi-entry CompiledModel)", () => {
  test("predict sees what train just updated, with no syncing by the user", () => {
    const model = classifier();
    const data = blobs(16);
    const before = model.run("predict", { x: data.x }).output.slice();
    expect(maxAbsDiff(before, reference(model, data.x, 16))).toBeLessThan(1e-5);
    for (let i = 0; i < 3; i++) model.run("train", data);
    const after = model.run("predict", { x: data.x }).output.slice();
    expect(maxAbsDiff(after, before)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(after, reference(model, data.x, 16))).toBeLessThan(1e-5);
    // And back: a fourth train step continues from the third (Adam's step count is 3, then 4).
    model.run("train", data);
    expect(model.read("adam/step")[0]).toBe(4);
  });

  test("batch sizes 1, 37 and 128 agree with the float64 interpreter", () => {
    const model = classifier();
    model.run("train", blobs(16));
    for (const rows of [1, 37, 128]) {
      const data = blobs(rows, rows);
      const out = model.run("predict", { x: data.x }, { batch: rows }).output;
      expect(out).toHaveLength(rows * 3);
      expect(maxAbsDiff(out, reference(model, data.x, rows))).toBeLessThan(1e-5);
    }
  });

  test("a specialised step gives bit-identical results to a step compiled for those sizes", () => {
    const model = classifier();
    const net = network().build(x, { training: true });
    const loss = crossEntropy(net.output, y) as FloatTensor;
    const direct = compile({ inputs: [x, y], outputs: { loss }, updates: adam({ lr: 0.05 }).updates(loss, net.params), sizes: { batch: 37 } });
    const data = blobs(37, 5);
    for (let i = 0; i < 3; i++) {
      const a = model.run("train", data, { batch: 37 }).loss[0];
      const b = direct.run(data).loss[0];
      expect(a).toBe(b);
    }
    for (const name of direct.names()) expect(model.read(name)).toEqual(direct.read(name));
  });

  test("interleaved sizes, entries and writes keep one set of params: as two hand-synced steps", () => {
    const model = classifier();
    const net = network().build(x, { training: true });
    const loss = crossEntropy(net.output, y) as FloatTensor;
    const spec = { inputs: [x, y], outputs: { loss }, updates: adam({ lr: 0.05 }).updates(loss, net.params) };
    const steps = { 16: compile({ ...spec, sizes: { batch: 16 } }), 5: compile({ ...spec, sizes: { batch: 5 } }) };
    const byHand = (rows: 16 | 5, data: { x: Float32Array; y: Int32Array }) => {
      const loss = steps[rows].run(data).loss[0];
      const other = steps[rows === 16 ? 5 : 16];
      for (const n of other.names()) other.write(n, steps[rows].read(n));
      return loss;
    };
    const w = Float32Array.from({ length: 32 }, (_, i) => Math.sin(i));
    const plan: (16 | 5 | "write" | "predict")[] = [16, 5, "predict", 5, "write", 16, "predict", 5, 16];
    plan.forEach((what, i) => {
      const data = blobs(typeof what === "number" ? what : 5, 10 + i);
      if (what === "write") {
        model.write("dense/W", w);
        for (const step of Object.values(steps)) step.write("dense/W", w);
      } else if (what === "predict") {
        expect(maxAbsDiff(model.run("predict", { x: data.x }, { batch: 5 }).output, reference(model, data.x, 5))).toBeLessThan(1e-5);
      } else {
        expect(model.run("train", data, { batch: what }).loss[0]).toBe(byHand(what, data));
      }
    });
    for (const n of steps[16].names()) expect(model.read(n)).toEqual(steps[16].read(n));
  });

  test("the cache of specialised steps is bounded, and evicting the step holding the newest params loses nothing", () => {
    const model = classifier();
    const limited = compileEntries(
      {
        entries: { predict: { inputs: [x], outputs: { output: network().build(x, { training: false }).output } } },
        sizes: { batch: 16 },
      },
      { cacheLimit: 2 },
    );
    expect(limited.cache()).toEqual({ size: 0, limit: 2 });
    for (const rows of [1, 2, 3, 4]) limited.run("predict", { x: blobs(rows).x }, { batch: rows });
    expect(limited.cache()).toEqual({ size: 2, limit: 2 });
    // Train at size 5 (specialised), then run three other sizes so that step is evicted.
    model.run("train", blobs(5), { batch: 5 });
    const trained = model.read("dense/W");
    for (const rows of [6, 7, 8, 9, 10, 11, 12, 13, 14]) model.run("predict", { x: blobs(rows).x }, { batch: rows });
    expect(model.cache().size).toBe(8);
    expect(model.read("dense/W")).toEqual(trained);
    expect(model.read("adam/step")[0]).toBe(1);
  });

  test("read/write by name across entries; bad names, lengths and sizes are errors that change nothing", () => {
    const model = classifier();
    expect(model.names()).toEqual(expect.arrayContaining(["dense/W", "dense/b", "dense_1/W", "dense_1/b", "adam/step"]));
    expect(model.entries.predict.params.find((p) => p.name === "dense/W")?.shape).toEqual([4, 8]);
    const w = model.read("dense/W");
    w[0] = 123; // a copy
    expect(model.read("dense/W")[0]).not.toBe(123);
    model.write("dense/W", new Float32Array(32).fill(0.5));
    const out = model.run("predict", { x: blobs(16).x }).output;
    expect(maxAbsDiff(out, reference(model, blobs(16).x, 16))).toBeLessThan(1e-5);
    expect(() => model.read("nope")).toThrow(/no param or state slot named "nope"; the model has \[/);
    expect(() => model.write("dense/W", [1, 2])).toThrow(/32.*got.* 2 values/);
    expect(model.read("dense/W")).toEqual(new Float32Array(32).fill(0.5));
    expect(() => model.run("tarin", {})).toThrow(/no entry "tarin"; it has \["train","evaluate","predict"\]/);
    expect(() => model.run("predict", { x: blobs(2).x }, { batch: 0 })).toThrow(/size of "batch" must be a positive integer, got 0/);
    // A missing feed: the compiled step's own check, and the params stay.
    const before = model.names().map((n) => model.read(n));
    expect(() => model.run("train", { x: blobs(16).x })).toThrow(/y/);
    expect(model.names().map((n) => model.read(n))).toEqual(before);
  });

  test("a spec with no entries says what was expected", () => {
    expect(() => compileEntries({ entries: {} })).toThrow(/at least one entry/);
    expect(() => compileEntries({ entries: { a: { inputs: [x as AnyTensor], outputs: {} } } }, { cacheLimit: -1 })).toThrow(/cacheLimit/);
  });
});
