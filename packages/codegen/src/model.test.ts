import { evaluate, softmax, constant } from "@gradfold/graph";
import { substitute } from "@gradfold/graph/internal";
import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import { expectClose } from "./testing/compare.ts";
import { logitsOf, mlpStep, randomF32, randomLabels, rng } from "./testing/mlp.ts";

describe("a model: entries over one set of params in one arena", () => {
  const sizes = [12, 16, 4];
  const { spec, params, x, loss } = mlpStep({ sizes, optimizer: "adam" });
  const probs = softmax(logitsOf(loss), -1);
  const model = compile({ entries: { train: spec, predict: { inputs: [x], outputs: { probs } } }, sizes: { batch: 8 } });
  const random = rng(4);
  const feeds = { x: randomF32(8 * 12, random), y: randomLabels(8, 4, random) };

  it("train matches a step compiled alone; predict reads the trained params and changes nothing", () => {
    const alone = compile({ ...spec, sizes: { batch: 8 } });
    for (let i = 0; i < 3; i++) expectClose(model.run("train", feeds).loss, alone.run(feeds).loss, `loss ${i}`, 1e-5);
    for (const p of params) {
      const name = (p.params as { name: string }).name;
      expectClose(model.read(name), alone.read(name), name, 1e-5);
    }
    const before = params.map((p) => model.read((p.params as { name: string }).name));
    const got = model.run("predict", { x: feeds.x }).probs.slice();
    params.forEach((p, i) => {
      expect(model.read((p.params as { name: string }).name)).toEqual(before[i]);
    });
    // The reference with the trained values in place of the params.
    const trained = new Map(params.map((p, i) => [p, constant(before[i], p.shape as number[])] as const));
    const [expected] = substitute([probs], trained);
    expectClose(got, evaluate(expected, { x: feeds.x }, { batch: 8 }), "probs", 1e-5);
    expect(model.entries()).toEqual(["train", "predict"]);
  });

  it("checks an entry's own feeds, and names the entries when one is unknown", () => {
    expect(() => model.run("predict", { x: feeds.x, y: feeds.y })).toThrow(/unknown feed "y"/);
    expect(() => model.run("train", { x: feeds.x })).toThrow(/missing feed for input "y"/);
    expect(() => model.run("evaluate", { x: feeds.x })).toThrow(/unknown entry "evaluate"; the entries are "train", "predict"/);
  });

  it("refuses two entries updating one param", () => {
    expect(() => compile({ entries: { a: spec, b: spec }, sizes: { batch: 8 } })).toThrow(/is updated by entries "a" and "b"/);
  });
});
