import { evaluate, input, matmul, param, sum } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "../compile.ts";
import { expectClose } from "../testing/compare.ts";
import { mlpStep, randomF32, rng } from "../testing/mlp.ts";

describe("the host gives each kernel to the first backend that takes it whole", () => {
  it("MLP step: matmuls, softmax, cross-entropy, the loss mean, bias-gradient column sums with their updates and oneHot are Wasm; backend js is all JS", () => {
    const { spec } = mlpStep({ sizes: [8, 16, 4], optimizer: "adam" });
    const auto = compile({ ...spec, sizes: { batch: 4 } });
    const byKind = (kind: string) => auto.kernels.filter((k) => k.group.includes(` ${kind}: `)).map((k) => k.runs);
    expect(byKind("matmul").every((b) => b === "wasm")).toBe(true);
    expect(auto.kernels.filter((k) => k.group.includes(" opaque: ")).map((k) => [k.group.split(": ")[1].split(" ")[0], k.runs])).toEqual([
      ["softmaxCrossEntropy", "wasm"],
      ["softmax", "wasm"],
      ["oneHot", "wasm"],
    ]);
    // The loss mean sums a vector to a scalar; the two bias gradients sum down columns.
    expect(byKind("reduction")).toEqual(["wasm", "wasm", "wasm"]);
    expect(auto.stats.wasmKernels).toBe(auto.kernels.filter((k) => k.runs === "wasm").length);
    const js = compile({ ...spec, sizes: { batch: 4 } }, { backend: "js" });
    expect(js.kernels.every((k) => k.runs === "js")).toBe(true);
    expect(js.wasmBytes).toHaveLength(0);
  });

  it("a batched matmul takes no epilogue in the plan, and is JS; its activation is a kernel of its own", () => {
    const a = input("a", [3, 4, 8]);
    const b = input("b", [3, 8, 4]);
    const out = matmul(a, b).relu();
    const step = compile({ inputs: [a, b], outputs: { out } });
    expect(step.kernels.map((k) => [k.group, k.runs])).toEqual([
      ["#0 matmul: matmul (2 in, 1 out)", "js"],
      ["#1 elementwise: relu (1 in, 1 out)", "wasm"],
    ]);
    const random = rng(3);
    const feeds = { a: randomF32(96, random), b: randomF32(96, random) };
    expectClose(step.run(feeds).out, evaluate(out, feeds), "batched matmul", 1e-5);
  });

  it("a matmul whose product is stored as well as read by its epilogue writes the product in place, then the epilogue", () => {
    const x = input("x", [4, 8]);
    const w = input("w", [8, 8]);
    const h = x.matmul(w);
    const outs = { h, r: h.relu().mul(2) };
    const step = compile({ inputs: [x, w], outputs: outs });
    const random = rng(5);
    const feeds = { x: randomF32(32, random), w: randomF32(64, random) };
    const got = step.run(feeds);
    const [eh, er] = evaluate([outs.h, outs.r], feeds);
    expectClose(got.h, eh, "product", 1e-5);
    expectClose(got.r, er, "epilogue", 1e-5);
    expect(step.kernels.find((k) => k.group.includes("matmul:"))!.runs).toBe("wasm");
  });

  it("a column sum with an epilogue: float64 sums in row order as the reference, NaN and ±Inf carried, in place over its param", () => {
    const g = input("g", [6, 8]);
    const b = param("b", [8], { init: Float32Array.of(1, -2, 3, -4, 5, -6, 7, 0) });
    const newB = b.sub(sum(g, [0]).mul(0.5));
    const random = rng(9);
    const data = randomF32(48, random, 3);
    data[1] = NaN; // column 1
    data[8 + 2] = Infinity; // column 2
    data[16 + 3] = Infinity;
    data[24 + 3] = -Infinity; // column 3: Inf − Inf = NaN
    data[5] = 1e30;
    data[13] = -1e30; // column 5 cancels exactly in float64 order
    const spec = { inputs: [g], outputs: {}, updates: [[b, newB]] as const };
    const step = compile(spec);
    expect(step.kernels.map((k) => [k.group, k.runs])).toEqual([["#0 reduction: sum → mul → add (3 in, 1 out)", "wasm"]]);
    const expected = evaluate(newB, { g: data });
    step.run({ g: data });
    const got = step.read("b");
    expect(Number.isNaN(got[1]) && Number.isNaN(got[3])).toBe(true);
    expect(got[2]).toBe(-Infinity);
    expectClose(got, expected, "column sum epilogue", 1e-6);
    const js = compile(spec, { backend: "js" });
    js.run({ g: data });
    expectClose(got, js.read("b"), "same as the JS backend", 1e-6);
  });
});
