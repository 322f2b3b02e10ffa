import { mulberry32 } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { datasetNames, makePoints, sampleBatch } from "./datasets.ts";

describe("makePoints", () => {
  it.each(datasetNames)("%s: balanced classes, finite points near [−1, 1]², the same for the same seed", (name) => {
    const a = makePoints(name, 400, 0.3, 4);
    expect(a.y.reduce((s, v) => s + v, 0)).toBe(200);
    expect(a.x.every((v) => Number.isFinite(v) && Math.abs(v) < 2)).toBe(true);
    expect(makePoints(name, 400, 0.3, 4).x).toEqual(a.x);
    expect(makePoints(name, 400, 0.3, 5).x).not.toEqual(a.x);
  });

  it("separates circles by radius without noise", () => {
    const { x, y, count } = makePoints("circles", 200, 0, 1);
    for (let i = 0; i < count; i++) {
      const r = Math.hypot(x[2 * i], x[2 * i + 1]);
      expect(y[i] === 0 ? r <= 0.35 : r >= 0.65).toBe(true);
    }
  });

  it("accepts zero points and refuses a negative count or noise, naming what it expected", () => {
    expect(makePoints("xor", 0, 0, 1).count).toBe(0);
    expect(() => makePoints("xor", -1, 0, 1)).toThrow("makePoints: count must be a non-negative integer, got -1");
    expect(() => makePoints("xor", 2.5, 0, 1)).toThrow("got 2.5");
    expect(() => makePoints("xor", 10, Number.NaN, 1)).toThrow("makePoints: noise must be ≥ 0, got NaN");
  });
});

describe("sampleBatch", () => {
  it("copies whole points with their labels", () => {
    const points = makePoints("blobs", 50, 0.5, 2);
    const x = new Float32Array(20);
    const y = new Int32Array(10);
    sampleBatch(points, mulberry32(1), x, y);
    for (let i = 0; i < 10; i++) {
      const k = Array.from({ length: points.count }, (_, j) => j).find((j) => points.x[2 * j] === x[2 * i] && points.x[2 * j + 1] === x[2 * i + 1]);
      expect(k).toBeDefined();
      expect(points.y[k!]).toBe(y[i]);
    }
  });
});
