import { input } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import { prepareStep } from "./prepare.ts";
import { stepSource } from "./host/step-source.ts";
import { expectClose } from "./testing/compare.ts";
import { mlpStep } from "./testing/mlp.ts";
import { wasmFeatures } from "./wasm/index.ts";

const x = input("x", [8, 12]);
const row = input("row", [12]);
const feeds = { x: Float32Array.from({ length: 96 }, (_, i) => i / 7 - 6), row: Float32Array.from({ length: 12 }, (_, i) => 1 - i / 5) };
const allWasm = { inputs: [x, row], outputs: { y: x.mul(x).add(row).relu() } };
const withSum = { inputs: [x, row], outputs: { y: x.add(row).relu().sum(1) } };

describe.runIf(wasmFeatures().simd)('backend "wasm" is strict, "auto" falls back and says where', () => {
  it('"wasm" runs a graph whose every kernel has a Wasm form, with the JS results', () => {
    const step = compile(allWasm, { backend: "wasm" });
    expect(step.kernels.map((k) => k.runs)).toEqual(step.kernels.map(() => "wasm"));
    expect(step.stats.jsKernels).toBe(0);
    // f32 lanes against float64 locals: equal within float32 rounding.
    expectClose(step.run(feeds).y, compile(allWasm, { backend: "js" }).run(feeds).y, "wasm vs js", 1e-6);
  });

  it("the MLP training steps run every kernel in Wasm (oneHot and the softmax backward too); Adam's one-element bias correction stays JS", () => {
    for (const batch of [128, 1000]) {
      const sgd = mlpStep({ sizes: [784, 256, 128, 10], optimizer: "sgd" }).spec;
      const step = compile({ ...sgd, sizes: { batch } }, { backend: "wasm" });
      expect(step.stats.jsKernels, `SGD b${batch}`).toBe(0);
      expect(step.kernels.every((k) => k.runs === "wasm")).toBe(true);
      // 1 − β^t: pow has no f32x4 form faithful to Math.pow (and 1 − β^t cancels), on one element.
      const adam = mlpStep({ sizes: [784, 256, 128, 10], optimizer: "adam" }).spec;
      const js = compile({ ...adam, sizes: { batch } }, { backend: "auto" }).kernels.filter((k) => k.runs !== "wasm");
      expect(
        js.map((k) => k.group.replace(/^#\d+ /, "")),
        `Adam b${batch}`,
      ).toEqual(["elementwise: add → pow → neg → add → pow → neg → add (4 in, 3 out)"]);
    }
  });

  it('"wasm" refuses a kernel without a Wasm form, naming it; "auto" runs it in JS and says so', () => {
    expect(() => compile(withSum, { backend: "wasm" })).toThrow(
      /^compile: backend "wasm": 1 of 1 kernels have no Wasm SIMD form: reduction kernel of add, relu, sum; use backend "auto"/,
    );
    const auto = compile(withSum, { backend: "auto" });
    expect(auto.kernels.map((k) => k.runs)).toEqual(["js"]);
    expect(auto.stats.jsKernels).toBe(1);
    const js = compile(withSum, { backend: "js" });
    expect(Array.from(auto.run(feeds).y)).toEqual(Array.from(js.run(feeds).y));
  });

  it('a matmul in Wasm with its epilogue in JS is "wasm+js", which "wasm" refuses', () => {
    const W = input("W", [12, 12]);
    // erf has no Wasm SIMD form: the product goes to scratch and a JS pass applies it.
    const spec = { inputs: [x, W], outputs: { y: x.matmul(W).erf() } };
    expect(compile(spec, { backend: "auto" }).kernels.map((k) => k.runs)).toEqual(["wasm+js"]);
    expect(() => compile(spec, { backend: "wasm" })).toThrow(/matmul kernel of matmul, erf \(its epilogue\)/);
  });
});

describe("an engine without Wasm SIMD", () => {
  const prepared = prepareStep(allWasm, {}, "compile");
  it('"wasm" fails with a clear error', () => {
    expect(() => stepSource(prepared, "wasm", { features: { simd: false, relaxedSimd: false } })).toThrow(
      'compile: backend "wasm" needs WebAssembly SIMD, which this engine does not validate; use backend "auto" (JS where Wasm cannot run) or "js"',
    );
  });
  it('"auto" plans every kernel in JS', () => {
    const generated = stepSource(prepared, "auto", { features: { simd: false, relaxedSimd: false } });
    expect(generated.wasmBytes).toEqual([]);
    expect(generated.placements).toEqual(generated.kernels.map(() => "js"));
  });
});
