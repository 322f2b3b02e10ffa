import { input, param, softmax, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import type { ModelSpec } from "./model.ts";
import { compileThreaded } from "./node.ts";
import { logitsOf, mlpStep, randomF32, randomLabels, rng } from "./testing/mlp.ts";

const WIDTHS = [12, 16, 4];

/** An Adam-trained MLP as a model with train and predict entries over its params. */
function mlpModel(sizes = { batch: 8 }): ModelSpec {
  const { spec, x, loss } = mlpStep({ sizes: WIDTHS, optimizer: "adam", seed: 2 });
  return { entries: { train: spec, predict: { inputs: [x], outputs: { probs: softmax(logitsOf(loss), -1) } } }, sizes };
}

function batch(rows: number, seed: number) {
  const random = rng(seed);
  return { x: randomF32(rows * WIDTHS[0], random), y: randomLabels(rows, WIDTHS[2], random) };
}

const everything = (model: { names(): string[]; read(n: string): Float32Array }) => Object.fromEntries(model.names().map((n) => [n, model.read(n)]));

describe("a model at other sizes: specializations over the same params", () => {
  const spec = mlpModel();

  it.each([1, 37, 128])("at batch %i: bit for bit a model compiled for that batch directly", (rows) => {
    const model = compile(spec);
    const direct = compile({ ...spec, sizes: { batch: rows } });
    for (let i = 0; i < 3; i++) {
      const data = batch(rows, 10 + i);
      expect(model.run("train", data, { batch: rows }).loss[0]).toBe(direct.run("train", data).loss[0]);
    }
    expect(everything(model)).toEqual(everything(direct));
    // The batch comes from the feeds when there is one symbolic dim.
    const x = batch(rows, 99).x;
    expect(model.run("predict", { x }).probs).toEqual(direct.run("predict", { x }).probs);
    expect(model.specializations()).toMatchObject({ size: rows === 8 ? 0 : 1, hits: rows === 8 ? 0 : 3 });
  });

  it("training through a specialization is what the base entries see, interleaved with base runs and writes", () => {
    const model = compile(spec);
    // By hand: two models, synced after every step.
    const byHand = { 8: compile(spec), 37: compile({ ...spec, sizes: { batch: 37 } }) };
    const trainByHand = (rows: 8 | 37, data: ReturnType<typeof batch>) => {
      const loss = byHand[rows].run("train", data).loss[0];
      const other = byHand[rows === 8 ? 37 : 8];
      for (const n of other.names()) other.write(n, byHand[rows].read(n));
      return loss;
    };
    const w = Float32Array.from({ length: 12 * 16 }, (_, i) => Math.cos(i) / 4);
    const plan: Array<8 | 37 | "write"> = [8, 37, 37, 8, "write", 37, 8, 8, 37];
    plan.forEach((what, i) => {
      if (what === "write") {
        model.write("W1", w);
        for (const m of Object.values(byHand)) m.write("W1", w);
        return;
      }
      const data = batch(what, 20 + i);
      expect(model.run("train", data).loss[0]).toBe(trainByHand(what, data));
      // predict at the compiled size reads what either size trained
      const x = batch(8, 50 + i).x;
      expect(model.run("predict", { x }).probs).toEqual(byHand[8].run("predict", { x }).probs);
    });
    expect(everything(model)).toEqual(everything(byHand[8]));
    expect(model.read("W1/adam/t")[0]).toBe(8);
  });

  it("the cache is bounded (LRU), reports hits and misses, and prepare() compiles ahead", async () => {
    const model = compile(spec, { specializations: 2 });
    expect(model.sizes()).toEqual({ batch: 8 });
    expect(model.specializations()).toEqual({ size: 0, limit: 2, hits: 0, misses: 0, sizes: [] });
    for (const rows of [1, 2, 3, 2]) model.run("predict", { x: batch(rows, rows).x });
    expect(model.specializations()).toEqual({ size: 2, limit: 2, hits: 1, misses: 3, sizes: [{ batch: 3 }, { batch: 2 }] });
    await model.prepare({ batch: 5 });
    expect(model.specializations()).toMatchObject({ size: 2, misses: 3, sizes: [{ batch: 2 }, { batch: 5 }] });
    model.run("train", batch(5, 1));
    expect(model.specializations()).toMatchObject({ hits: 2, misses: 3 });
    await model.prepare({ batch: 8 }); // the compiled sizes: nothing to do
    expect(model.specializations().size).toBe(2);
    // Evicting the specialization that trained last loses nothing: the base holds the newest params.
    const trained = everything(model);
    for (const rows of [6, 7]) model.run("predict", { x: batch(rows, rows).x });
    expect(model.specializations().sizes).toEqual([{ batch: 6 }, { batch: 7 }]);
    expect(everything(model)).toEqual(trained);
    // No cache at all: every run at other sizes compiles, still over the same params.
    const uncached = compile(spec, { specializations: 0 });
    uncached.run("train", batch(3, 1));
    uncached.run("train", batch(3, 2));
    expect(uncached.specializations()).toMatchObject({ size: 0, misses: 2 });
    expect(uncached.read("W1/adam/t")[0]).toBe(2);
    expect(() => compile(spec, { specializations: -1 })).toThrow(/options.specializations must be a non-negative integer, got -1/);
  });

  it("bad sizes, and feeds that contradict the sizes, are errors before anything changes", async () => {
    const model = compile(spec);
    model.run("train", batch(3, 1));
    const before = { params: everything(model), cache: model.specializations() };
    const data = batch(8, 2);
    expect(() => model.run("train", data, { batch: 0 })).toThrow(/size of "batch" must be a positive integer, got 0/);
    expect(() => model.run("train", data, { batch: 2.5 })).toThrow(/got 2.5/);
    expect(() => model.run("train", data, { bacth: 4 })).toThrow(/unknown size "bacth"; the model's symbolic dims are "batch"/);
    expect(() => model.run("train", data, null as never)).toThrow(/sizes must be an object like \{"batch":8\}, got null/);
    expect(() => model.run("train", data, { batch: 37 })).toThrow(/input "x": sizes \{"batch":37\} make its shape \[37, 12\] \(444 values\), got Float32Array of 96 values/);
    expect(() => model.run("train", { x: batch(5, 3).x, y: data.y })).toThrow(/input "y": sizes \{"batch":5\} make its shape \[5\] \(5 values\), got Int32Array of 8 values/);
    expect(() => model.run("predict", { x: new Float32Array(13) })).toThrow(/input "x" has 13 values, not a positive whole number of rows of 12 \(shape \["batch", 12\]\)/);
    expect(() => model.run("predict", { x: batch(5, 3).x, y: data.y })).toThrow(/unknown feed "y"; the inputs are "x"/);
    expect(() => model.run("train", { x: batch(5, 3).x })).toThrow(/missing feed for input "y"/);
    expect(() => model.run("tarin", data)).toThrow(/unknown entry "tarin"; the entries are "train", "predict"/);
    await expect(model.prepare({ batch: -1 })).rejects.toThrow(/prepare: size of "batch" must be a positive integer, got -1/);
    expect(everything(model)).toEqual(before.params);
    expect(model.specializations()).toEqual(before.cache);
  });
});

describe("params of one name in several entries are one param", () => {
  // A model function built twice (as nn's defineModel does): two nodes per weight, one name.
  const build = (init: number[] = [0.5, -0.25, 1, 2], shape: [number, number] = [2, 2]) => param("w", shape, { init: Float32Array.from(init) });
  const x = input("x", ["batch", 2]);
  const w = build();
  const spec = { inputs: [x], outputs: { loss: x.matmul(w).square().mean() }, updates: [[w, w.sub(w.mul(0.5))] as const] };

  it("predict, built over another node named like the trained one, sees the training", () => {
    const model = compile({ entries: { train: spec, predict: { inputs: [x], outputs: { out: x.matmul(build()) } } }, sizes: { batch: 1 } });
    const feeds = { x: Float32Array.from([1, 1]) };
    expect(model.run("predict", feeds).out).toEqual(Float32Array.from([1.5, 1.75]));
    model.run("train", feeds);
    expect(model.read("w")).toEqual(Float32Array.from([0.25, -0.125, 0.5, 1]));
    expect(model.run("predict", feeds).out).toEqual(Float32Array.from([0.75, 0.875]));
    expect(model.names()).toEqual(["w"]);
  });

  it("a different shape or initial value under one name is an error naming both entries", () => {
    const other = (w: AnyTensor) => ({ entries: { train: spec, predict: { inputs: [x], outputs: { out: x.matmul(w) } } }, sizes: { batch: 1 } });
    expect(() => compile(other(build([1, 2, 3, 4, 5, 6], [2, 3])))).toThrow(/param "w" of entries "train" and "predict" has shapes \[2, 2\] and \[2, 3\]/);
    expect(() => compile(other(build([0.5, -0.25, 1, 3])))).toThrow(/param "w" of entries "train" and "predict" has different initial values/);
  });
});

describe("compileThreaded accepts a model", () => {
  it("bit-identical to compile(): at the compiled sizes, at new sizes in run() (single-threaded) and prepared (threaded)", async () => {
    const spec = mlpModel({ batch: 64 });
    const single = compile(spec);
    const threaded = await compileThreaded(spec, { threads: 2, minFlops: 0 });
    try {
      await threaded.prepare({ batch: 5 });
      for (const [i, rows] of [64, 37, 5, 64, 5, 37].entries()) {
        const data = batch(rows, 70 + i);
        expect(threaded.run("train", data).loss[0]).toBe(single.run("train", data).loss[0]);
      }
      expect(threaded.specializations()).toMatchObject({ size: 2, misses: 1, hits: 3 });
      expect(everything(threaded)).toEqual(everything(single));
      const x = batch(3, 1).x;
      expect(threaded.run("predict", { x }).probs).toEqual(single.run("predict", { x }).probs);
    } finally {
      await threaded.close();
    }
  });
});
