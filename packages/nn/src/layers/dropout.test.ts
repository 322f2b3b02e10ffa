import { evaluate, grad, input } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { maxAbsDiff, uniform } from "../../test/random.ts";
import { dropout, dropoutMask } from "./dropout.ts";
import { randomFeeds } from "./layer.ts";
import { mlp } from "./mlp.ts";

describe("dropout", () => {
  test("masks keep a fraction 1 − p of the elements", () => {
    for (const rate of [0.1, 0.5, 0.8]) {
      const mask = dropoutMask(100_000, rate, 7, 0);
      const kept = mask.reduce((a, b) => a + b, 0) / mask.length;
      // Binomial standard error √(p(1−p)/n) ≤ 0.0016
      expect(Math.abs(kept - (1 - rate))).toBeLessThan(0.006);
      expect(mask.every((v) => v === 0 || v === 1)).toBe(true);
    }
  });

  test("training: y = x ⊙ mask / (1 − p), so E[y] = x; the mask changes each step and replays per step", () => {
    const x = input("x", ["batch", 50]);
    const layer = dropout(x, { rate: 0.3, name: "drop", seed: 5 });
    expect(layer.randomInputs).toHaveLength(1);
    const sizes = { batch: 40 };
    const xv = uniform(2000, 0.5, 1.5);
    const feeds0 = randomFeeds(layer, 0, sizes);
    const mask0 = feeds0["drop/mask"];
    expect(mask0).toHaveLength(2000);
    const y = evaluate(layer.output, { x: xv, ...feeds0 }, sizes);
    expect(
      maxAbsDiff(
        y,
        Array.from(xv, (v, i) => (v * mask0[i]) / 0.7),
      ),
    ).toBeLessThan(1e-12);
    const ratio = y.reduce((a, b) => a + b, 0) / xv.reduce((a, b) => a + b, 0);
    expect(Math.abs(ratio - 1)).toBeLessThan(0.05);
    // Gradient flows only through kept elements, scaled by 1/(1 − p).
    const [g] = grad(layer.output.sum(), [x]);
    expect(
      maxAbsDiff(
        evaluate(g, { x: xv, ...feeds0 }, sizes),
        Array.from(mask0, (m) => m / 0.7),
      ),
    ).toBeLessThan(1e-12);
    const mask1 = layer.randomInputs[0].generate(1, sizes);
    expect(mask1).not.toEqual(mask0);
    expect(layer.randomInputs[0].generate(0, sizes)).toEqual(mask0);
  });

  test("evaluation mode and rate 0 are the identity, with nothing to feed", () => {
    const x = input("x", [3]);
    const off = dropout(x, { rate: 0.5, training: false });
    expect(off.output).toBe(x);
    expect(off.randomInputs).toHaveLength(0);
    expect(dropout(x, { rate: 0 }).output).toBe(x);
  });

  test("each dropout layer of an mlp draws its own mask", () => {
    const model = mlp(input("x", ["batch", 4]), [4, 6, 6, 2], { dropout: 0.5, seed: 1 });
    const names = model.randomInputs.map((r) => (r.input.params as { name: string }).name);
    expect(names).toEqual(["mlp/0/dropout/mask", "mlp/1/dropout/mask"]);
    const feeds = randomFeeds(model, 3, { batch: 8 });
    expect(feeds["mlp/0/dropout/mask"]).not.toEqual(feeds["mlp/1/dropout/mask"]);
    expect(mlp(input("y", ["batch", 4]), [4, 6, 2], { dropout: 0.5, training: false, name: "eval" }).randomInputs).toHaveLength(0);
  });

  test("bad rates and unbound sizes are refused", () => {
    expect(() => dropout(input("x", [3]), { rate: 1 })).toThrow(/rate/);
    const layer = dropout(input("x", ["batch", 2]), { rate: 0.5, name: "d" });
    expect(() => layer.randomInputs[0].generate(0)).toThrow(/batch/);
  });
});
