import { evaluate, input, logSoftmax, softmax, softmaxCrossEntropy } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "../compile.ts";
import { randomF32, randomLabels, rng } from "../testing/mlp.ts";

/**
 * Relative comparison: NaN where the reference has NaN, the same infinities, and
 * finite values within `rel` of the reference or `floor` (in the output's own units).
 */
function expectFaithful(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rel: number, floor: number): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i], want[i]];
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      expect(g, `${what}[${i}]`).toBe(Math.fround(w));
      continue;
    }
    expect(Math.abs(g - w), `${what}[${i}]: got ${g}, expected ${w}`).toBeLessThanOrEqual(rel * Math.abs(w) + floor);
  }
}

const COLS = [1, 3, 5, 17, 129];

/** Rows of ordinary values, then rows with NaN, +Inf, all −Inf, −0 and a ±1000 shift. */
function logitsWithSpecials(cols: number, seed: number): Float32Array {
  const random = rng(seed);
  const data = randomF32(9 * cols, random, 4);
  data[3 * cols + (cols >> 1)] = Number.NaN;
  data[4 * cols] = Number.POSITIVE_INFINITY;
  data.fill(Number.NEGATIVE_INFINITY, 5 * cols, 6 * cols);
  data.fill(-0, 6 * cols, 7 * cols);
  for (let j = 0; j < cols; j++) data[7 * cols + j] += 1000;
  data[8 * cols + cols - 1] = Number.NEGATIVE_INFINITY;
  return data;
}

describe("softmax, logSoftmax and softmax cross-entropy as Wasm kernels follow the reference", () => {
  for (const cols of COLS) {
    for (const backend of ["auto", "js"] as const) {
      it(`${cols} columns, backend ${backend}: matches evaluate with NaN, ±Inf, −0 and shifted rows (Wasm under auto)`, () => {
        const x = input("x", [9, cols]);
        const labels = input("labels", [9], "int32");
        const outs = { p: softmax(x), lp: logSoftmax(x, 1), ce: softmaxCrossEntropy(x, labels) };
        const feeds = { x: logitsWithSpecials(cols, cols), labels: randomLabels(9, cols, rng(cols + 1)) };
        const step = compile({ inputs: [x, labels], outputs: outs }, { optimize: false, backend });
        for (const op of ["softmax", "logSoftmax", "softmaxCrossEntropy"]) {
          expect(step.kernels.find((k) => k.group.includes(`opaque: ${op} `))?.runs, op).toBe(backend === "js" ? "js" : "wasm");
        }
        const got = step.run(feeds);
        const [p, lp, ce] = evaluate([outs.p, outs.lp, outs.ce], feeds);
        expectFaithful(got.p, p, "softmax", 4e-6, 1e-37);
        expectFaithful(got.lp, lp, "logSoftmax", 4e-6, 1e-6);
        expectFaithful(got.ce, ce, "cross-entropy", 4e-6, 1e-6);
      });
    }
  }

  it("a small loss keeps its relative precision (lse − m as log1p of Σ − 1)", () => {
    const x = input("x", [1, 5]);
    const labels = input("labels", [1], "int32");
    const ce = softmaxCrossEntropy(x, labels);
    const feeds = { x: Float32Array.of(12, -3, 0.5, -1, 2), labels: Int32Array.of(0) };
    const got = compile({ inputs: [x, labels], outputs: { ce } }).run(feeds).ce[0];
    const want = evaluate(ce, feeds)[0];
    expect(want).toBeLessThan(1e-4);
    expect(Math.abs(got - want) / want).toBeLessThan(1e-5);
  });

  it("a label outside [0, classes) never reaches the kernel: run() refuses it; in-range rows match the JS kernel", () => {
    const x = input("x", [4, 3]);
    const labels = input("labels", [4], "int32");
    const spec = { inputs: [x, labels], outputs: { ce: softmaxCrossEntropy(x, labels) } };
    const xs = randomF32(12, rng(2));
    const wasm = compile(spec);
    expect(wasm.kernels[0].runs).toBe("wasm");
    expect(() => wasm.run({ x: xs, labels: Int32Array.of(0, 3, 2, 1) })).toThrow(/labels.*3/s);
    const feeds = { x: xs, labels: Int32Array.of(0, 2, 2, 1) };
    const got = [...wasm.run(feeds).ce];
    const js = [...compile(spec, { backend: "js" }).run(feeds).ce];
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(js[i], 6);
    });
  });

  it("softmax over a leading axis stays JS (its rows are strided)", () => {
    const x = input("x", [4, 3]);
    const step = compile({ inputs: [x], outputs: { p: softmax(x, 0) } });
    expect(step.kernels[0].runs).toBe("js");
  });
});
