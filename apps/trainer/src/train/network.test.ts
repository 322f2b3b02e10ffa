import { initialValue, input } from "@gradfold/graph";
import { nameOf } from "@gradfold/nn";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../config.ts";
import { layerNames, networkOf } from "./network.ts";

const cnn = (overrides: Partial<typeof defaultConfig> = {}) => ({ ...defaultConfig, model: "cnn" as const, ...overrides });
const paramsOf = (config: typeof defaultConfig, features = 784) =>
  networkOf(config, 10, 1)
    .build(input("x", ["batch", features]), { training: false })
    .params.map((p) => [nameOf(p), p.shape]);

describe("the CNN", () => {
  it("has a conv filter [k, k, in, out] and bias per stage, then the dense layer on the flattened 7×7 maps and the output layer", () => {
    expect(paramsOf(cnn())).toEqual([
      ["conv1/W", [5, 5, 1, 32]],
      ["conv1/b", [32]],
      ["conv2/W", [5, 5, 32, 64]],
      ["conv2/b", [64]],
      ["dense1/W", [7 * 7 * 64, 128]],
      ["dense1/b", [128]],
      ["dense2/W", [128, 10]],
      ["dense2/b", [10]],
    ]);
    expect(layerNames(cnn())).toEqual(["conv1", "conv2", "dense1", "dense2"]);
  });

  it("follows --channels, --kernel and --dense; each stage halves the maps (28 → 14 → 7 → 3, floor)", () => {
    const params = paramsOf(cnn({ channels: [3, 5, 6], kernel: 3, dense: 9 }));
    expect(params.filter(([name]) => String(name).endsWith("/W"))).toEqual([
      ["conv1/W", [3, 3, 1, 3]],
      ["conv2/W", [3, 3, 3, 5]],
      ["conv3/W", [3, 3, 5, 6]],
      ["dense1/W", [3 * 3 * 6, 9]],
      ["dense2/W", [9, 10]],
    ]);
  });

  it("draws He-scaled filters from the filter's fan-in k·k·in (relu), seeded by run seed and layer name", () => {
    const filter = (seed: number) => {
      const net = networkOf(cnn({ channels: [16, 32] }), 10, seed).build(input("x", ["batch", 784]), { training: false });
      return initialValue(net.params.find((p) => nameOf(p) === "conv2/W")!);
    };
    const w = filter(1);
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.95 * Math.sqrt(2 / (5 * 5 * 16)));
    expect(std).toBeLessThan(1.05 * Math.sqrt(2 / (5 * 5 * 16)));
    expect(filter(1)).toEqual(w);
    expect(filter(2)).not.toEqual(w);
  });

  it("refuses features that are not 28×28 images, naming both", () => {
    expect(() => paramsOf(cnn(), 4)).toThrow("--model cnn: expected 28×28 images (784 features), got 4 features");
  });
});
