import { describe, expect, it } from "vitest";
import { standardConfigs } from "./configs.ts";
import { makeProblem, stepFlops } from "./problem.ts";

describe("makeProblem", () => {
  const config = standardConfigs[0];

  it("is the same for the same seed and different for another", () => {
    const a = makeProblem(config, 5);
    const b = makeProblem(config, 5);
    const c = makeProblem(config, 6);
    expect(a.x).toEqual(b.x);
    expect(a.params[0].data).toEqual(b.params[0].data);
    expect(a.x).not.toEqual(c.x);
  });

  it("lays params out as W [in, out] and zero b [out] per layer, He-uniform bounded", () => {
    const p = makeProblem(config);
    expect(p.params.map((q) => `${q.name}${JSON.stringify(q.shape)}`)).toEqual(["W1[784,256]", "b1[256]", "W2[256,128]", "b2[128]", "W3[128,10]", "b3[10]"]);
    const limit = Math.sqrt(6 / 784);
    expect(p.params[0].data.every((v) => Math.abs(v) <= limit)).toBe(true);
    expect(p.params[1].data.every((v) => v === 0)).toBe(true);
  });

  it("gives labels in range and a one-hot copy that agrees with them", () => {
    const p = makeProblem(config);
    expect(p.x).toHaveLength(128 * 784);
    for (let i = 0; i < 128; i++) {
      const row = p.oneHot.subarray(i * 10, i * 10 + 10);
      expect(p.labels[i]).toBeGreaterThanOrEqual(0);
      expect(p.labels[i]).toBeLessThan(10);
      expect(Array.from(row).reduce((a, b) => a + b, 0)).toBe(1);
      expect(row[p.labels[i]]).toBe(1);
    }
  });
});

describe("stepFlops", () => {
  it("counts forward and dW for every layer and dX for all but the first", () => {
    const b = 128;
    expect(stepFlops(standardConfigs[0])).toBe(2 * b * (784 * 256 * 2 + 256 * 128 * 3 + 128 * 10 * 3));
  });
});
