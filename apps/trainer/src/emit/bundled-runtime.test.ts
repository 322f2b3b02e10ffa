import { dropoutMask } from "@gradfold/nn";
import { shuffledOrder } from "@gradfold/train";
import { describe, expect, it } from "vitest";
import { Rng } from "../rng.ts";
import { bundledRuntime } from "./bundled-runtime.ts";

/** The bundle's three exports, evaluated as the emitted trainer evaluates them. */
function load() {
  return new Function(`${bundledRuntime()}return { Rng, shuffledOrder, dropoutMask };`)() as {
    Rng: typeof Rng;
    shuffledOrder: typeof shuffledOrder;
    dropoutMask: typeof dropoutMask;
  };
}

describe("bundledRuntime", () => {
  it("draws the same streams as the modules it is bundled from", () => {
    const bundled = load();
    const ours = new Rng(42);
    const theirs = new bundled.Rng(42);
    expect(theirs.permutation(50)).toEqual(ours.permutation(50));
    expect(theirs.fork().state()).toEqual(ours.fork().state());
    expect(bundled.shuffledOrder(37, 7, 3)).toEqual(shuffledOrder(37, 7, 3));
    expect(bundled.dropoutMask(64, 0.25, 11, 5)).toEqual(dropoutMask(64, 0.25, 11, 5));
  });

  it("agrees on the edges: empty and one-row orders, an empty mask, seed -0, rate 0 and 1", () => {
    const bundled = load();
    for (const rows of [0, 1, 2]) expect(bundled.shuffledOrder(rows, -0, 0)).toEqual(shuffledOrder(rows, -0, 0));
    expect(bundled.dropoutMask(0, 0.5, 1, 0)).toEqual(new Float32Array(0));
    expect(bundled.dropoutMask(8, 0, 1, 0)).toEqual(new Float32Array(8).fill(1));
    expect(bundled.dropoutMask(8, 1, 1, 0)).toEqual(new Float32Array(8));
  });

  it("carries no absolute paths of this machine", () => {
    expect(bundledRuntime()).not.toContain(process.cwd());
  });
});
