import { evaluate, input, maximum, minimum, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "../compile.ts";
import { expectClose } from "../testing/compare.ts";
import { randomF32, rng } from "../testing/mlp.ts";

describe("elementwise chains as Wasm SIMD loops", () => {
  it("match the reference, NaN and -0 included, and fall back to JS where they cannot run", () => {
    const a = input("a", [8, 6]);
    const b = input("b", [8, 6]);
    const s = input("s", []);
    const chain: AnyTensor = maximum(a.mul(s).add(b.abs().sqrt()).relu(), b.neg()).div(minimum(a.abs().add(1), b.abs().add(2))).rsqrt();
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
});
