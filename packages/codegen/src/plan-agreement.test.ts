import { add, conv2d, evaluate, grad, input, maxPool2d, relu, sum } from "@gradfold/graph";
import { leavesOf } from "@gradfold/graph/internal";
import { optimize } from "@gradfold/optimize";
import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import { expectClose } from "./testing/compare.ts";
import type { StepSpec } from "./spec.ts";
import { mlpStep } from "./testing/mlp.ts";
import { randomGraph } from "./testing/random-graph.ts";

/**
 * explain() and compile() are two views of one plan: the kernels a compiled step runs
 * are the groups explain() lists, one for one, and its arena is explain()'s, to the
 * byte, whichever backend renders the kernels.
 */
function expectAgreement(spec: StepSpec) {
  const explained = optimize({ outputs: spec.outputs, updates: spec.updates ?? [] }, { sizes: spec.sizes ?? {} }).explain();
  for (const backend of ["js", "auto"] as const) {
    const step = compile(spec, { backend });
    expect(
      step.kernels.map((k) => k.group),
      backend,
    ).toEqual(explained.kernels);
    expect(step.arenaBytes, backend).toBe(explained.arenaBytes);
    expect(step.stats.arenaBytes, backend).toBe(explained.arenaBytes);
    // The arena is whole Wasm pages in the plan already: the Memory is exactly that big.
    expect(step.memory.buffer.byteLength, backend).toBe(explained.arenaBytes);
  }
  return explained;
}

describe("explain() reports what compile() runs", () => {
  for (const optimizer of ["sgd", "adam"] as const) {
    it(`MLP 784-256-128-10 ${optimizer} at batch 128`, () => {
      const { spec } = mlpStep({ sizes: [784, 256, 128, 10], optimizer });
      const explained = expectAgreement({ ...spec, sizes: { batch: 128 } });
      // Every param's update is written in place; the arena (buffers, plus scratch for the
      // largest matmul product, 784×256 floats) stays below what the two planners gave before.
      expect(explained.inPlaceUpdates).toBe(explained.updates);
      expect(explained.arenaBytes).toBeLessThan(optimizer === "sgd" ? 2_700_000 : 4_600_000);
    });
  }
  it("20 random graphs", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { out } = randomGraph(seed);
      expectAgreement({ inputs: leavesOf([out]).inputs, outputs: { out } });
    }
  });
  it("a weight gradient xᵀ·dz: the arena's scratch holds the Wasm kernel's packed B panel and row block of xᵀ", () => {
    // 300 rows of xᵀ (three row blocks, the last 44), 700 k (three K blocks), 40 columns (two full 16-column panels).
    const x = input("x", [700, 300]);
    const w = input("w", [300, 40]);
    const [dw] = grad(sum(x.matmul(w).mul(x.matmul(w))), [w]);
    expectAgreement({ inputs: [x, w], outputs: { dw } });
    const step = compile({ inputs: [x, w], outputs: { dw } }, { backend: "wasm" });
    expect(step.source).toMatch(/\(tn\)/);
    const xs = Float32Array.from({ length: 700 * 300 }, (_, i) => Math.sin(i));
    const ws = Float32Array.from({ length: 300 * 40 }, (_, i) => Math.cos(i) / 16);
    expectClose(step.run({ x: xs, w: ws }).dw, evaluate(dw, { x: xs, w: ws }), "dw");
  });
  it("a conv + pool step: the arena's scratch holds the Wasm im2col matrix", () => {
    // One image's im2col is 16·16 rows × 3·3·3 columns = 27,648 bytes, more than any matmul scratch here.
    const x = input("x", [2, 16, 16, 3]);
    const w = input("w", [3, 3, 3, 8]);
    const y = maxPool2d(conv2d(x, w, { padding: "same" }), 2);
    const [dx, dw] = grad(sum(y), [x, w]);
    expectAgreement({ inputs: [x, w], outputs: { y, dx, dw } });
    expect(compile({ inputs: [x, w], outputs: { y, dx, dw } }, { backend: "auto" }).source).toMatch(/conv2d in Wasm SIMD/);
    const { plan } = optimize({ outputs: { y, dx, dw }, updates: [] }, { sizes: {} });
    expect(plan!.buffers.scratch.bytes).toBeGreaterThanOrEqual(16 * 16 * 27 * 4);
  });
  it("a conv with its bias, relu and a residual add fused (conv kernels), and its gradients", () => {
    const x = input("x", [2, 9, 7, 4]);
    const w = input("w", [3, 3, 4, 4]);
    const b = input("b", [4]);
    const h = relu(add(conv2d(x, w, { padding: "same" }), b));
    const r = add(relu(add(conv2d(h, w, { padding: "same" }), b)), x);
    const y = maxPool2d(r, 2);
    const [dx, dw, db] = grad(sum(y), [x, w, b]);
    const explained = expectAgreement({ inputs: [x, w, b], outputs: { y, dx, dw, db } });
    expect(explained.kernels?.filter((k) => / conv: /.test(k))).toHaveLength(2);
  });
});
