import { evaluate, input } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { maxAbsDiff, uniform } from "../../test/random.ts";
import { dense } from "./dense.ts";
import { dropout } from "./dropout.ts";
import { nameOf, randomFeeds, type FloatTensor } from "./layer.ts";
import { mlp } from "./mlp.ts";
import { defineModel } from "./model.ts";
import { denseBlock, residual } from "./connections.ts";
import { batchNorm, layerNorm } from "./normalization.ts";
import { trainingMode } from "./scope.ts";

const x = input("x", ["batch", 3]);

describe("defineModel", () => {
  test("unnamed layers are numbered in call order, the same in every build", () => {
    const net = defineModel((h: FloatTensor) => dense(dense(dense(h, 4).output, 4).output, 2));
    const train = net.build(x, { training: true });
    const infer = net.build(x, { training: false });
    const names = ["dense/W", "dense/b", "dense_1/W", "dense_1/b", "dense_2/W", "dense_2/b"];
    expect(train.params.map(nameOf)).toEqual(names);
    expect(infer.params.map(nameOf)).toEqual(names);
    // Numbering is per build, not per process: a third build starts at "dense" again.
    expect(net.build(x, { training: true }).params.map(nameOf)).toEqual(names);
  });

  test("an explicit name used twice is an error at construction naming both call sites", () => {
    const net = defineModel((h: FloatTensor) => {
      const a = dense(h, 4, { name: "fc" }).output;
      return dense(a, 4, { name: "fc" });
    });
    let message = "";
    try {
      net.build(x, { training: false });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/layer name "fc" is already taken/);
    // Both sites are in this file, on the two lines above.
    const sites = [...message.matchAll(/model\.test\.ts:(\d+)/g)].map((m) => Number(m[1]));
    expect(sites).toHaveLength(2);
    expect(sites[1] - sites[0]).toBe(1);
  });

  test("an auto name and an explicit one that meet are a clash too", () => {
    const net = defineModel((h: FloatTensor) => dense(dense(h, 4).output, 4, { name: "dense" }));
    expect(() => net.build(x, { training: true })).toThrow(/"dense" is already taken/);
  });

  test("the build's mode drives dropout and batch norm; a bare-tensor result loses nothing", () => {
    let seen: (boolean | undefined)[] = [];
    const net = defineModel((h: FloatTensor) => {
      seen.push(trainingMode());
      const a = batchNorm(dense(h, 4).output).output;
      return dropout(a, { rate: 0.5, seed: 1 }).output; // the layer records are dropped here
    });
    const train = net.build(x, { training: true });
    expect(train.randomInputs.map((r) => nameOf(r.input))).toEqual(["dropout/mask"]);
    expect(train.updates.map(([t]) => nameOf(t))).toEqual(["batchNorm/runningMean", "batchNorm/runningVar"]);
    expect(train.state.map(nameOf)).toEqual(["batchNorm/runningMean", "batchNorm/runningVar"]);
    expect(train.params.map(nameOf)).toEqual(["dense/W", "dense/b", "batchNorm/gamma", "batchNorm/beta"]);
    const infer = net.build(x, { training: false });
    expect(infer.randomInputs).toEqual([]);
    expect(infer.updates).toEqual([]);
    expect(infer.params.map(nameOf)).toEqual(train.params.map(nameOf));
    expect(seen).toEqual([true, false]);
    expect(trainingMode()).toBeUndefined();

    // Inference normalises by the running statistics (initially mean 0, var 1) and keeps every unit.
    const sizes = { batch: 5 };
    const xv = uniform(15);
    const values = { x: xv, "batchNorm/runningMean": [0.5, -0.5, 1, 0], "batchNorm/runningVar": [4, 1, 0.25, 1] };
    const h = evaluate(dense(x, 4).output, { x: xv }, sizes);
    const expected = Array.from(h, (v, i) => {
      const f = i % 4;
      return (v - values["batchNorm/runningMean"][f]) / Math.sqrt(values["batchNorm/runningVar"][f] + 1e-5);
    });
    expect(maxAbsDiff(evaluate(infer.output, values, sizes), expected)).toBeLessThan(1e-12);
    // Training drops with the fed mask.
    const mask = randomFeeds(train, 0, sizes)["dropout/mask"];
    const out = evaluate(train.output, { x: xv, "dropout/mask": mask }, sizes);
    expect(Array.from(out).every((v, i) => (mask[i] === 0 ? v === 0 : true))).toBe(true);
    seen = [];
  });

  test("an explicit training option wins over the build's mode", () => {
    const net = defineModel((h: FloatTensor) => dropout(h, { rate: 0.5, training: false }));
    expect(net.build(x, { training: true }).randomInputs).toEqual([]);
  });

  test("mlp inside a build: its layers are named under the mlp's unique name", () => {
    const net = defineModel((h: FloatTensor) => mlp(mlp(h, [3, 4]).output, [4, 2], { dropout: 0.1 }));
    const model = net.build(x, { training: true });
    expect(model.params.map(nameOf)).toEqual(["mlp/0/W", "mlp/0/b", "mlp_1/0/W", "mlp_1/0/b"]);
  });

  test("every layer kind takes a numbered default name in a build", () => {
    const net = defineModel((h: FloatTensor) => {
      const a = layerNorm(residual(h, (z) => dense(z, 5), { projection: true }).output).output;
      const b = layerNorm(denseBlock(a, { growth: 2, layers: 1 }).output).output;
      return residual(b, (z) => dense(z, 7).output);
    });
    expect(net.build(x, { training: false }).params.map(nameOf)).toEqual([
      "dense/W",
      "dense/b",
      "residual/projection/W",
      "layerNorm/gamma",
      "layerNorm/beta",
      "denseBlock/0/W",
      "denseBlock/0/b",
      "layerNorm_1/gamma",
      "layerNorm_1/beta",
      "dense_1/W",
      "dense_1/b",
    ]);
  });

  test("bad arguments say what was expected", () => {
    expect(() => defineModel(3 as never)).toThrow(/expected a model function/);
    const net = defineModel((h: FloatTensor) => dense(h, 2));
    expect(() => net.build(x, {} as never)).toThrow(/options.training must be true or false, got undefined/);
    expect(() => defineModel(() => 1 as never).build(x, { training: true })).toThrow(/must return a Layer or a Tensor/);
    expect(() => defineModel((h: FloatTensor) => dense(h, 2, { name: "" })).build(x, { training: true })).toThrow(/name must be a non-empty string/);
  });

  test("a failed build leaves no scope behind", () => {
    const bad = defineModel((h: FloatTensor) => {
      dense(h, 2, { name: "a" });
      return dense(h, 2, { name: "a" });
    });
    expect(() => bad.build(x, { training: true })).toThrow();
    expect(trainingMode()).toBeUndefined();
    // Outside a build, names are the fixed defaults again.
    expect(nameOf(dense(x, 2).params[0])).toBe("dense/W");
  });
});
