import { evaluate, input, matmul } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "../compile.ts";
import { expectClose } from "../testing/compare.ts";
import { mlpStep, randomF32, rng } from "../testing/mlp.ts";

describe("the host gives each kernel to the first backend that takes it whole", () => {
  it("MLP step: matmuls with their epilogues are Wasm, softmax, cross-entropy and reductions JS; backend js is all JS", () => {
    const { spec } = mlpStep({ sizes: [8, 16, 4], optimizer: "adam" });
    const auto = compile({ ...spec, sizes: { batch: 4 } });
    const byKind = (kind: string) => auto.kernels.filter((k) => k.group.includes(` ${kind}: `)).map((k) => k.backend);
    expect(byKind("matmul").every((b) => b === "wasm")).toBe(true);
    expect(byKind("opaque")).toEqual(["js", "js", "js"]);
    expect(byKind("reduction").every((b) => b === "js")).toBe(true);
    expect(auto.stats.wasmKernels).toBe(auto.kernels.filter((k) => k.backend === "wasm").length);
    const js = compile({ ...spec, sizes: { batch: 4 } }, { backend: "js" });
    expect(js.kernels.every((k) => k.backend === "js")).toBe(true);
    expect(js.wasmBytes).toHaveLength(0);
  });

  it("a batched matmul takes no epilogue in the plan, and is JS; its activation is a kernel of its own", () => {
    const a = input("a", [3, 4, 8]);
    const b = input("b", [3, 8, 4]);
    const out = matmul(a, b).relu();
    const step = compile({ inputs: [a, b], outputs: { out } });
    expect(step.kernels.map((k) => [k.group, k.backend])).toEqual([
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
    expect(step.kernels.find((k) => k.group.includes("matmul:"))!.backend).toBe("wasm");
  });
});
