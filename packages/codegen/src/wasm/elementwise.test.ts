import { evaluate, input, matmul, maximum, minimum, where, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "../compile.ts";
import { expectClose } from "../testing/compare.ts";
import { randomF32, rng } from "../testing/mlp.ts";

describe("elementwise chains as Wasm SIMD loops", () => {
  it("match the reference on a long chain with NaN inputs, and fall back to JS where they cannot run (lane-exact NaN and ±0: next test)", () => {
    const a = input("a", [8, 6]);
    const b = input("b", [8, 6]);
    const s = input("s", []);
    const chain: AnyTensor = maximum(a.mul(s).add(b.abs().sqrt()).relu(), b.neg())
      .div(minimum(a.abs().add(1), b.abs().add(2)))
      .rsqrt();
    const other: AnyTensor = b.reciprocal().add(a.stopGradient());
    const random = rng(3);
    const feeds = { a: randomF32(48, random, 3), b: randomF32(48, random, 3), s: Float32Array.of(0.75) };
    feeds.a[0] = NaN;
    feeds.a[1] = -0;
    feeds.b[2] = NaN;
    const step = compile({ inputs: [a, b, s], outputs: { chain, other } }, { backend: "auto", optimize: false });
    expect(step.stats.wasmKernels).toBeGreaterThan(0);
    expect(step.source).toContain("a Wasm SIMD loop");
    const out = step.run(feeds);
    const [c, o] = evaluate([chain, other], feeds);
    expectClose(out.chain, c, "chain");
    expectClose(out.other, o, "other");
    // 5 elements: not a multiple of 4 lanes, so JS.
    const x = input("x", [5]);
    const odd = compile({ inputs: [x], outputs: { y: x.mul(2).add(1) } }, { backend: "auto" });
    expect(odd.source).not.toContain("a Wasm SIMD loop");
    expectClose(odd.run({ x: Float32Array.of(1, 2, 3, 4, 5) }).y, [3, 5, 7, 9, 11], "odd");
  });

  it("relu, maximum, minimum and comparisons keep the reference's IEEE results lane by lane: NaN, ±0, ±Inf", () => {
    const a = input("a", [8]);
    const b = input("b", [8]);
    const outputs = { relu: a.relu(), max: maximum(a, b), min: minimum(a, b), gt: a.greater(b), eq: a.equal(b) };
    const feeds = { a: Float32Array.of(NaN, -0, 0, -1, 2, Infinity, -Infinity, 3), b: Float32Array.of(1, 0, -0, NaN, -Infinity, Infinity, 5, 3) };
    const step = compile({ inputs: [a, b], outputs }, { backend: "auto" });
    expect(step.kernels.every((k) => k.runs === "wasm")).toBe(true);
    const out = step.run(feeds);
    const expected = evaluate(Object.values(outputs), feeds);
    Object.keys(outputs).forEach((name, i) => {
      // Object.is tells NaN from a number and −0 from +0, which a tolerance cannot.
      const got = Array.from(out[name]);
      const want = Array.from(expected[i]);
      got.forEach((v, j) => {
        expect(Object.is(v, want[j]), `${name}[${j}]: ${v} vs ${want[j]}`).toBe(true);
      });
    });
  });

  it("matmul epilogues with a bias row, relu, a bool mask output and where on a mask", () => {
    const x = input("x", [6, 5]);
    const W = input("W", [5, 12]);
    const bias = input("bias", [12]);
    const g = input("g", [6, 12]);
    const pre = matmul(x, W).add(bias);
    const h = pre.relu();
    const mask = pre.greater(0);
    const masked = where(mask, g, 0);
    const below = pre.less(0.5);
    const same = pre.equal(pre);
    const random = rng(5);
    const feeds = { x: randomF32(30, random), W: randomF32(60, random), bias: randomF32(12, random), g: randomF32(72, random) };
    const outputs = { h, mask, masked, below, same };
    const step = compile({ inputs: [x, W, bias, g], outputs }, { backend: "auto" });
    expect(step.source).toContain("a Wasm SIMD loop");
    const out = step.run(feeds);
    const expected = evaluate(Object.values(outputs), feeds);
    Object.keys(outputs).forEach((name, i) => {
      expectClose(out[name], expected[i], name);
    });
    expect(out.mask).toBeInstanceOf(Int32Array);
  });
  it("take operands with one value per row ([rows, 1], a softmax gradient's upstream) at any row width, the partial tail vector lane-exact", () => {
    for (const cols of [2, 3, 4, 5, 10, 13]) {
      const rows = 7;
      const a = input("a", [rows, cols]);
      const b = input("b", [rows, cols]);
      const g = input("g", [rows, 1]);
      const outputs = { y: a.sub(b).mul(g), z: a.greater(g).where(a.mul(g), b) };
      const random = rng(cols);
      const feeds = { a: randomF32(rows * cols, random, 3), b: randomF32(rows * cols, random, 3), g: randomF32(rows, random, 2) };
      feeds.a.set([NaN, -0, Infinity], 0);
      feeds.b[cols] = -Infinity;
      feeds.g.set([-0, NaN, Infinity], 1);
      const step = compile({ inputs: [a, b, g], outputs }, { backend: "wasm" });
      expect(step.stats.jsKernels).toBe(0);
      const out = step.run(feeds);
      const expected = evaluate(Object.values(outputs), feeds);
      // y rounds twice in f32 (the reference once, from float64): within rounding. z is one f32 product or a copy: exact.
      expectClose(out.y, expected[0], `y, ${cols} columns`, { signedZeros: true });
      Array.from(out.z).forEach((v, j) => {
        const want = Math.fround(expected[1][j]);
        expect(Object.is(v, want), `z[${j}], ${cols} columns: ${v} vs ${want}`).toBe(true);
      });
    }
    // A [rows, 1] operand next to a [cols] row needs whole vectors per row.
    const x = input("x", [3, 5]);
    const row = input("row", [5]);
    const g = input("g", [3, 1]);
    expect(() => compile({ inputs: [x, row, g], outputs: { y: x.add(row).mul(g) } }, { backend: "wasm" })).toThrow(/no Wasm SIMD form/);
  });
});
