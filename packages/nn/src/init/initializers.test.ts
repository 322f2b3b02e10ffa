import { evaluate, param } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { fans } from "./fans.ts";
import {
  constantInit,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  lecunNormal,
  lecunUniform,
  normal,
  truncatedNormal,
  uniform,
  varianceScaling,
  zeros,
  type Initializer,
} from "./initializers.ts";
import { orthogonal } from "./orthogonal.ts";
import { createRng } from "./prng.ts";

function moments(data: ArrayLike<number>): { mean: number; variance: number; min: number; max: number } {
  let mean = 0;
  for (let i = 0; i < data.length; i++) mean += data[i];
  mean /= data.length;
  let variance = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    variance += (data[i] - mean) ** 2;
    min = Math.min(min, data[i]);
    max = Math.max(max, data[i]);
  }
  return { mean, variance: variance / data.length, min, max };
}

describe("prng", () => {
  test("uniforms cover [0, 1) evenly and normals are standard", () => {
    const rng = createRng(7);
    const u = Float64Array.from({ length: 100_000 }, () => rng.uniform());
    const m = moments(u);
    expect(m.min).toBeGreaterThanOrEqual(0);
    expect(m.max).toBeLessThan(1);
    expect(m.mean).toBeCloseTo(0.5, 2);
    expect(m.variance).toBeCloseTo(1 / 12, 3);
    const z = Float64Array.from({ length: 100_000 }, () => rng.normal());
    const n = moments(z);
    expect(Math.abs(n.mean)).toBeLessThan(0.015);
    expect(Math.abs(n.variance - 1)).toBeLessThan(0.02);
    // P(|z| < 1) = 0.6827 for a standard normal
    expect(z.filter((v) => Math.abs(v) < 1).length / z.length).toBeCloseTo(0.6827, 2);
  });

  test("the stream is fixed: the same seed replays it, nearby seeds diverge", () => {
    const a = createRng(1);
    const b = createRng(1);
    const c = createRng(2);
    const first = Array.from({ length: 5 }, () => a.uint32());
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(first);
  });
});

describe("fans", () => {
  test("dense kernels are [in, out]; leading axes are a receptive field", () => {
    expect(fans([784, 256])).toEqual({ fanIn: 784, fanOut: 256 });
    expect(fans([3, 3, 16, 32])).toEqual({ fanIn: 144, fanOut: 288 });
    expect(fans([10])).toEqual({ fanIn: 10, fanOut: 10 });
  });
});

const shape = [400, 300];
const N = 400 * 300;

describe("distributions match their published variances", () => {
  const cases: Array<[string, Initializer, number, number]> = [
    // name, initializer, expected mean, expected variance
    ["normal", normal({ mean: 0.5, std: 2, seed: 3 }), 0.5, 4],
    ["uniform", uniform({ min: -1, max: 3, seed: 3 }), 1, 16 / 12],
    // truncated standard normal on [-2, 2]: variance 1 − 2·2·φ(2)/(Φ(2) − Φ(−2)) = 0.77374
    ["truncatedNormal", truncatedNormal({ std: 1, seed: 3 }), 0, 0.773741],
    ["glorotNormal", glorotNormal({ seed: 3 }), 0, 2 / 700],
    ["glorotUniform", glorotUniform({ seed: 3 }), 0, 2 / 700],
    ["heNormal fanIn", heNormal({ seed: 3 }), 0, 2 / 400],
    ["heNormal fanOut", heNormal({ seed: 3, mode: "fanOut" }), 0, 2 / 300],
    ["heUniform leaky 0.2", heUniform({ seed: 3, negativeSlope: 0.2 }), 0, 2 / 1.04 / 400],
    ["heNormal gain 3", heNormal({ seed: 3, gain: 3 }), 0, 9 / 400],
    ["lecunNormal", lecunNormal({ seed: 3 }), 0, 1 / 400],
    ["lecunUniform", lecunUniform({ seed: 3 }), 0, 1 / 400],
    ["varianceScaling truncated", varianceScaling({ seed: 3, distribution: "truncatedNormal" }), 0, 1 / 400],
  ];
  test.each(cases)("%s", (_, init, mean, variance) => {
    const data = init(shape);
    expect(data).toBeInstanceOf(Float32Array);
    expect(data.length).toBe(N);
    const m = moments(data);
    // Standard error of the mean is σ/√N ≈ 0.003σ; of the variance ≈ σ²·√(2/N) ≈ 0.004σ².
    expect(Math.abs(m.mean - mean)).toBeLessThan(0.02 * Math.sqrt(variance));
    expect(Math.abs(m.variance / variance - 1)).toBeLessThan(0.03);
  });

  test("uniform variants stay inside their published bounds", () => {
    const g = moments(glorotUniform({ seed: 1 })(shape));
    const a = Math.sqrt(6 / 700);
    expect(g.max).toBeLessThanOrEqual(a);
    expect(g.min).toBeGreaterThanOrEqual(-a);
    expect(g.max).toBeGreaterThan(0.99 * a);
    const h = moments(heUniform({ seed: 1 })(shape));
    expect(h.max).toBeLessThanOrEqual(Math.sqrt(6 / 400));
  });

  test("truncatedNormal never leaves mean ± 2·std", () => {
    const m = moments(truncatedNormal({ mean: 1, std: 0.5, seed: 9 })(shape));
    expect(m.min).toBeGreaterThanOrEqual(0);
    expect(m.max).toBeLessThanOrEqual(2);
  });
});

describe("determinism", () => {
  const all: Array<[string, (seed: number) => Initializer]> = [
    ["normal", (seed) => normal({ seed })],
    ["uniform", (seed) => uniform({ seed })],
    ["truncatedNormal", (seed) => truncatedNormal({ seed })],
    ["glorotNormal", (seed) => glorotNormal({ seed })],
    ["glorotUniform", (seed) => glorotUniform({ seed })],
    ["heNormal", (seed) => heNormal({ seed })],
    ["heUniform", (seed) => heUniform({ seed })],
    ["lecunNormal", (seed) => lecunNormal({ seed })],
    ["lecunUniform", (seed) => lecunUniform({ seed })],
    ["orthogonal", (seed) => orthogonal({ seed })],
  ];
  test.each(all)("%s: same seed → same values, different seed → different values", (_, make) => {
    const a = make(1)([8, 5]);
    expect(make(1)([8, 5])).toEqual(a);
    expect(make(1)([8, 5])).toEqual(make(1)([8, 5]));
    const b = make(2)([8, 5]);
    expect(b).not.toEqual(a);
    expect(a.some((v, i) => v === b[i])).toBe(false);
  });
});

describe("orthogonal", () => {
  function gram(q: Float32Array, rows: number, cols: number, byColumns: boolean): number[][] {
    const n = byColumns ? cols : rows;
    const at = (k: number, i: number) => (byColumns ? q[i * cols + k] : q[k * cols + i]);
    const len = byColumns ? rows : cols;
    return Array.from({ length: n }, (_, a) =>
      Array.from({ length: n }, (_, b) => {
        let s = 0;
        for (let i = 0; i < len; i++) s += at(a, i) * at(b, i);
        return s;
      }),
    );
  }
  const expectIdentity = (m: number[][], scale: number) => {
    m.forEach((row, i) => {
      row.forEach((v, j) => {
        expect(Math.abs(v - (i === j ? scale : 0))).toBeLessThan(1e-5 * Math.max(1, scale));
      });
    });
  };

  test("a tall matrix has orthonormal columns: QᵀQ = I", () => expectIdentity(gram(orthogonal({ seed: 4 })([30, 12]), 30, 12, true), 1));
  test("a wide matrix has orthonormal rows: QQᵀ = I", () => expectIdentity(gram(orthogonal({ seed: 4 })([6, 20]), 6, 20, false), 1));
  test("a square one is orthogonal both ways, scaled by gain²", () => {
    const q = orthogonal({ seed: 5, gain: 2 })([16, 16]);
    expectIdentity(gram(q, 16, 16, true), 4);
    expectIdentity(gram(q, 16, 16, false), 4);
  });
  test("leading axes are flattened into rows", () => expectIdentity(gram(orthogonal({ seed: 6 })([2, 3, 4]), 6, 4, true), 1));
  test("rank 1 is refused", () => expect(() => orthogonal()([5])).toThrow(/rank >= 2/));
});

describe("as a param's init", () => {
  test("the graph calls the initializer with the param's shape", () => {
    const W = param("W", [3, 4], { init: heNormal({ seed: 11 }) });
    const value = evaluate(W);
    expect(Array.from(value)).toEqual(Array.from(heNormal({ seed: 11 })([3, 4])));
    expect(Array.from(evaluate(param("b", [4], { init: constantInit(0.25) })))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(zeros()([2, 2]))).toEqual([0, 0, 0, 0]);
  });
});
