import { describe, expect, it } from "vitest";
import { cnnConfigs, cnnFeatureSize, cnnSlowPeers, cnnStepFlops, isCnn, tinyCnnConfig } from "./cnn.ts";
import { allConfigs, describeConfig, standardConfigs } from "./configs.ts";
import { permute } from "./contenders/jax-cnn.ts";
import { makeProblem, stepFlops } from "./problem.ts";
import { describeAgreementWithReference } from "./testing/agree-with-reference.ts";

describe("the CNN config", () => {
  it("is issue 15's net: 28×28×1, 5×5×32 and 5×5×64 with pool 2, then 3136-128-10, batch 128, Adam", () => {
    const c = cnnConfigs[0];
    expect(c.id).toBe("cnn-b128-adam");
    expect(c.layers).toEqual([3136, 128, 10]);
    expect(allConfigs.map((x) => x.id)).toContain("cnn-b128-adam");
    // Opt-in: the default run (every standard config) has no CNN, and tfjs-cpu is left out of one unless asked.
    expect(standardConfigs.some(isCnn)).toBe(false);
    expect(Object.keys(cnnSlowPeers)).toEqual(["tfjs-cpu"]);
    expect(describeConfig(c)).toBe("28×28×1 → conv 5×5×32 → pool 2 → conv 5×5×64 → pool 2 → 3136-128-10, batch 128, Adam");
    // conv1 fwd+dW: 2·2·128·784·25·32; conv2 fwd+dW+dX: 3·2·128·196·800·64; dense 3·2·128·(3136·128 + 128·10).
    expect(stepFlops(c)).toBe(cnnStepFlops(c));
    expect(cnnStepFlops(c)).toBe(2 * 2 * 128 * 784 * 25 * 32 + 3 * 2 * 128 * 196 * 800 * 64 + 3 * 2 * 128 * (3136 * 128 + 128 * 10));
  });

  it("makes filters, biases and dense params in layer order, images as NHWC rows", () => {
    const p = makeProblem(tinyCnnConfig("sgd"), 3);
    expect(p.params.map((x) => [x.name, x.shape])).toEqual([
      ["F1", [3, 3, 2, 3]],
      ["c1", [3]],
      ["F2", [3, 3, 3, 4]],
      ["c2", [4]],
      ["W1", [8, 5]],
      ["b1", [5]],
      ["W2", [5, 3]],
      ["b2", [3]],
    ]);
    expect(cnnFeatureSize(p.config.cnn!)).toEqual({ h: 2, w: 1, c: 4 });
    expect(p.x.length).toBe(3 * 9 * 7 * 2);
  });

  it("permute is numpy's transpose", () => {
    // [2, 3] → [3, 2]
    expect([...permute(Float32Array.of(0, 1, 2, 3, 4, 5), [2, 3], [1, 0])]).toEqual([0, 3, 1, 4, 2, 5]);
    // [1, 2, 2, 3] NHWC → NCHW [1, 3, 2, 2]
    const nhwc = Float32Array.from({ length: 12 }, (_, i) => i);
    expect([...permute(nhwc, [1, 2, 2, 3], [0, 3, 1, 2])]).toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
  });
});

/**
 * The tiny CNN (odd image, pooling that floors, two input channels): this checks that
 * jax-js's NCHW layouts and tfjs-wasm's depth-1 conv3d are the same net as gradfold's.
 */
describeAgreementWithReference("the tiny CNN", tinyCnnConfig, 11, 3);
