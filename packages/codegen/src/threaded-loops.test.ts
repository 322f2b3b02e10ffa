import { input, param, softmaxCrossEntropy, sum, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import { compileThreaded } from "./node.ts";
import type { StepSpec } from "./spec.ts";
import { randomF32, randomLabels, rng } from "./testing/mlp.ts";
import { runUntilWorkerRan } from "./testing/worker-ran.ts";

const ROWS = 256;
const COLS = 128; // ROWS × COLS = 32768 elements: just large enough to split (loop-split.ts)
const specials = [Number.NaN, Infinity, -Infinity, -0, 0];

/**
 * Random values with a NaN, ±Infinity, −0 or 0 every `every`-th element: sparse, so
 * most rows stay finite and a chunk reading the wrong rows changes results.
 */
function withSpecials(n: number, seed: number, every = 331): Float32Array {
  const out = randomF32(n, rng(seed), 3);
  for (let i = 0; i < n; i += every) out[i] = specials[(i / every) % specials.length];
  return out;
}

/** Bits, so that NaN payloads and −0 count. */
const bits = (a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; length: number }) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/**
 * One kernel of each loop kind over 32768 elements: an elementwise chain with a row
 * operand, softmax, logSoftmax, softmax cross-entropy, a row reduction, a column sum
 * with an epilogue, and an SGD-like update of a [ROWS, COLS] param.
 */
function loopsSpec(): StepSpec {
  return loopsEntries().spec;
}

function loopsEntries(): { spec: StepSpec & { outputs: Record<string, AnyTensor> } } {
  const x = input("x", [ROWS, COLS]);
  const labels = input("labels", [ROWS], "int32");
  const w = param("w", [COLS], { init: randomF32(COLS, rng(3)) });
  const W = param("W", [ROWS, COLS], { init: randomF32(ROWS * COLS, rng(5)) });
  // One value per row ([ROWS, 1], splat per row), over whole vectors and over rows of 130 (a 2-lane tail).
  const perRow = param("perRow", [ROWS, 1], { init: randomF32(ROWS, rng(7)) });
  const wide = param("wide", [ROWS, 130], { init: randomF32(ROWS * 130, rng(9)) });
  const outputs: Record<string, AnyTensor> = {
    chain: x.mul(w).add(x.relu()).sqrt().maximum(x.neg()),
    softmax: x.softmax(),
    logSoftmax: x.logSoftmax(),
    ce: softmaxCrossEntropy(x, labels),
    rowSum: sum(x.mul(x), -1),
    columnSum: sum(x, 0).mul(0.5).add(w),
    perRow: x.mul(perRow).add(x),
    perRowTail: wide.mul(perRow).sub(perRow),
  };
  return { spec: { inputs: [x, labels], outputs, updates: [[W, W.sub(x.mul(0.125))]] } };
}

describe("compileThreaded: loops split across threads", () => {
  it("splits every loop kind and stays bit-identical to compile(), NaN, ±Infinity and −0 included", async () => {
    const spec = loopsSpec();
    const single = compile(spec);
    const threaded = await compileThreaded(spec, { threads: 2, adaptive: false });
    try {
      // Export names: e (elementwise), sm (softmax family), r (row and column reductions).
      expect(threaded.splitKernels.filter((n) => n.startsWith("sm"))).toHaveLength(3);
      expect(threaded.splitKernels.filter((n) => n.startsWith("r")).length).toBeGreaterThanOrEqual(2);
      expect(threaded.splitKernels.filter((n) => n.startsWith("e")).length).toBeGreaterThanOrEqual(4);
      // Matmul exports are k<id>; every other split kernel is a loop.
      expect(threaded.splitLoops).toEqual(threaded.splitKernels.filter((n) => !/^k\d+$/.test(n)));
      expect(threaded.usingThreads()).toBe(true);
      const step = (s: number) => {
        const feeds = { x: withSpecials(ROWS * COLS, 10 + s), labels: randomLabels(ROWS, COLS, rng(20 + s)) };
        const want = single.run(feeds);
        const got = threaded.run(feeds);
        for (const name of Object.keys(want)) expect(bits(got[name] as Float32Array), name).toEqual(bits(want[name] as Float32Array));
        expect(bits(threaded.read("W"))).toEqual(bits(single.read("W")));
      };
      expect(runUntilWorkerRan(threaded, step, 6)).toBeGreaterThan(0);
    } finally {
      await threaded.close();
    }
  });

  it("chooses per step and per kernel by measurement without changing a bit", async () => {
    const spec = loopsSpec();
    const single = compile(spec);
    const threaded = await compileThreaded(spec, { threads: 2 });
    try {
      // 12 runs decide the whole-step choice; either way the results are the same.
      for (let s = 0; s < 16; s++) {
        const feeds = { x: withSpecials(ROWS * COLS, 40 + s, 263), labels: randomLabels(ROWS, COLS, rng(60 + s)) };
        const want = single.run(feeds);
        const got = threaded.run(feeds);
        for (const name of Object.keys(want)) expect(bits(got[name] as Float32Array), name).toEqual(bits(want[name] as Float32Array));
      }
      expect(bits(threaded.read("W"))).toEqual(bits(single.read("W")));
      expect(typeof threaded.usingThreads()).toBe("boolean");
    } finally {
      await threaded.close();
    }
  });

  it("leaves loops under 32768 elements, and one thread, to the caller", async () => {
    const x = input("x", [64, 128]);
    const spec: StepSpec = { inputs: [x], outputs: { y: x.softmax(), z: x.mul(2).relu() } };
    const small = await compileThreaded(spec, { threads: 2 });
    const one = await compileThreaded(loopsSpec(), { threads: 1 });
    try {
      expect(small.splitKernels).toEqual([]);
      expect(small.usingThreads()).toBe(false);
      expect(one.splitKernels).toEqual([]);
      expect(one.workerChunks()).toEqual([]);
    } finally {
      await small.close();
      await one.close();
    }
  });
});

describe("compileThreaded of a model: loops split, a whole-step choice per entry", () => {
  it("trains and predicts bit-identically to compile()'s model over enough runs to choose", async () => {
    const { spec: step } = loopsEntries();
    const modelSpec = { entries: { train: step, predict: { inputs: step.inputs.slice(0, 1), outputs: { softmax: step.outputs.softmax } } } };
    const single = compile(modelSpec);
    const threaded = await compileThreaded(modelSpec, { threads: 2 });
    try {
      expect(threaded.splitKernels.length).toBeGreaterThan(0);
      for (let s = 0; s < 16; s++) {
        const feeds = { x: withSpecials(ROWS * COLS, 80 + s), labels: randomLabels(ROWS, COLS, rng(90 + s)) };
        const want = single.run("train", feeds);
        const got = threaded.run("train", feeds);
        for (const name of Object.keys(want)) expect(bits(got[name] as Float32Array), name).toEqual(bits(want[name] as Float32Array));
        expect(bits(threaded.run("predict", { x: feeds.x }).softmax as Float32Array)).toEqual(bits(single.run("predict", { x: feeds.x }).softmax as Float32Array));
      }
      expect(bits(threaded.read("W"))).toEqual(bits(single.read("W")));
      expect(threaded.workerChunks().length).toBe(1);
    } finally {
      await threaded.close();
    }
  });
});
