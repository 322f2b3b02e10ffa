import { checkGrad, evaluate, input } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { maxAbsDiff, uniform } from "../../test/random.ts";
import { batchNorm, layerNorm } from "./normalization.ts";

const nameOf = (t: { params: unknown }) => (t.params as { name: string }).name;
const N = 6;
const F = 4;
const x = input("x", ["batch", F]);
const xv = uniform(N * F, -3, 5);
const sizes = { batch: N };

function columnStats(data: ArrayLike<number>, rows: number, cols: number, j: number): { mean: number; variance: number } {
  let mean = 0;
  for (let i = 0; i < rows; i++) mean += data[i * cols + j];
  mean /= rows;
  let variance = 0;
  for (let i = 0; i < rows; i++) variance += (data[i * cols + j] - mean) ** 2;
  return { mean, variance: variance / rows };
}

describe("layerNorm", () => {
  test("normalises each row over its features, then scales and shifts", () => {
    const layer = layerNorm(x, { name: "ln" });
    expect(layer.params.map(nameOf)).toEqual(["ln/gamma", "ln/beta"]);
    const gamma = [1, 2, 0.5, -1];
    const beta = [0, 1, -1, 0.25];
    const out = evaluate(layer.output, { x: xv, "ln/gamma": gamma, "ln/beta": beta }, sizes);
    const expected = new Float64Array(N * F);
    for (let i = 0; i < N; i++) {
      const row = Array.from(xv.subarray(i * F, i * F + F));
      const m = row.reduce((a, b) => a + b) / F;
      const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / F;
      row.forEach((val, j) => {
        expected[i * F + j] = ((val - m) / Math.sqrt(v + 1e-5)) * gamma[j] + beta[j];
      });
    }
    expect(maxAbsDiff(out, expected)).toBeLessThan(1e-12);
  });

  test("over two trailing axes: each example's whole [3, 4] block is normalised", () => {
    const z = input("z", ["batch", 3, 4]);
    const layer = layerNorm(z, { name: "ln3", normalizedAxes: 2 });
    expect(layer.params.map((p) => p.shape)).toEqual([
      [3, 4],
      [3, 4],
    ]);
    const zv = uniform(24, -2, 3);
    const out = evaluate(layer.output, { z: zv }, { batch: 2 });
    for (let i = 0; i < 2; i++) {
      const block = Array.from(out.subarray(i * 12, i * 12 + 12));
      const m = block.reduce((a, b) => a + b) / 12;
      expect(m).toBeCloseTo(0, 12);
      const raw = Array.from(zv.subarray(i * 12, i * 12 + 12));
      const rm = raw.reduce((a, b) => a + b) / 12;
      const rv = raw.reduce((a, b) => a + (b - rm) ** 2, 0) / 12;
      expect(
        maxAbsDiff(
          block,
          raw.map((v) => (v - rm) / Math.sqrt(rv + 1e-5)),
        ),
      ).toBeLessThan(1e-12);
    }
    expect(() => layerNorm(z, { normalizedAxes: 4 })).toThrow(/normalizedAxes/);
    expect(() => layerNorm(z, { normalizedAxes: 3 })).toThrow(/concrete sizes/);
  });

  test("gradients match finite differences", () => {
    const layer = layerNorm(x, { name: "ln2" });
    const report = checkGrad(layer.output.mul(input("w", ["batch", F])).sum(), [x, ...layer.params], {
      feeds: { x: xv, w: uniform(N * F, -1, 1) },
      sizes,
      rtol: 1e-5,
    });
    expect(report.ok, JSON.stringify(report.entries)).toBe(true);
  });
});

describe("batchNorm", () => {
  test("training: per-feature batch statistics; running stats updated as PyTorch (unbiased variance)", () => {
    const layer = batchNorm(x, { name: "bn", momentum: 0.1 });
    expect(layer.params.map(nameOf)).toEqual(["bn/gamma", "bn/beta"]);
    expect(layer.state.map(nameOf)).toEqual(["bn/runningMean", "bn/runningVar"]);
    expect(layer.updates.map(([t]) => nameOf(t))).toEqual(["bn/runningMean", "bn/runningVar"]);
    const [y, newMean, newVar] = evaluate([layer.output, layer.updates[0][1], layer.updates[1][1]], { x: xv }, sizes);
    for (let j = 0; j < F; j++) {
      const out = columnStats(y, N, F, j);
      expect(out.mean).toBeCloseTo(0, 12);
      const input = columnStats(xv, N, F, j);
      expect(out.variance).toBeCloseTo(input.variance / (input.variance + 1e-5), 12);
      expect(newMean[j]).toBeCloseTo(0.9 * 0 + 0.1 * input.mean, 12);
      expect(newVar[j]).toBeCloseTo(0.9 * 1 + 0.1 * input.variance * (N / (N - 1)), 12);
    }
  });

  test("evaluation uses the running statistics and has no updates", () => {
    const layer = batchNorm(x, { name: "bn", training: false });
    expect(layer.updates).toHaveLength(0);
    const rm = [1, -1, 0.5, 0];
    const rv = [4, 1, 0.25, 2];
    const y = evaluate(layer.output, { x: xv, "bn/runningMean": rm, "bn/runningVar": rv }, sizes);
    const expected = Array.from(xv, (v, k) => (v - rm[k % F]) / Math.sqrt(rv[k % F] + 1e-5));
    expect(maxAbsDiff(y, expected)).toBeLessThan(1e-12);
  });

  test("running statistics converge to the data's under repeated updates", () => {
    const layer = batchNorm(x, { name: "bn3", momentum: 0.5 });
    let rm: Float64Array = new Float64Array(F);
    let rv: Float64Array = new Float64Array(F).fill(1);
    for (let step = 0; step < 40; step++) {
      [rm, rv] = evaluate([layer.updates[0][1], layer.updates[1][1]], { x: xv, "bn3/runningMean": rm, "bn3/runningVar": rv }, sizes);
    }
    for (let j = 0; j < F; j++) {
      const s = columnStats(xv, N, F, j);
      expect(rm[j]).toBeCloseTo(s.mean, 10);
      expect(rv[j]).toBeCloseTo((s.variance * N) / (N - 1), 10);
    }
  });

  test("training-mode gradients (through the batch statistics) match finite differences", () => {
    const layer = batchNorm(x, { name: "bn4" });
    const report = checkGrad(layer.output.mul(input("w", ["batch", F])).sum(), [x, ...layer.params], {
      feeds: { x: xv, w: uniform(N * F, -1, 1) },
      sizes,
      rtol: 1e-5,
    });
    expect(report.ok, JSON.stringify(report.entries)).toBe(true);
  });
});
