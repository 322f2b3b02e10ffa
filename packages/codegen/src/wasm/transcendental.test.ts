import { evaluate, input, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "../compile.ts";
import { rng } from "../testing/mlp.ts";

/** Distance in f32 units in the last place between two floats (0 when both are the same NaN, ±Inf or zero). */
function ulps(a: number, b: number): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b) || Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  const ordered = (i: number) => (bits[i] < 0 ? -2147483648 - bits[i] : bits[i]);
  return Math.abs(ordered(0) - ordered(1));
}

const edges = [
  NaN,
  0,
  -0,
  Infinity,
  -Infinity,
  1e-45,
  -1e-45,
  1e-40,
  -1e-40,
  1.2e-38,
  1e-30,
  -1e-7,
  1e-7,
  0.3,
  -0.3,
  0.625,
  -0.625,
  1,
  -1,
  2,
  -2,
  10,
  -10,
  20,
  -20,
  44,
  -44,
  80,
  -80,
  87,
  -87,
  88.5,
  -88.5,
  88.72,
  88.73,
  -100,
  -103,
  -104,
  100,
  3e38,
  -3e38,
];
const ops: Record<string, (x: AnyTensor) => AnyTensor> = {
  exp: (x) => x.exp(),
  log: (x) => x.log(),
  sigmoid: (x) => x.sigmoid(),
  tanh: (x) => x.tanh(),
  softplus: (x) => x.softplus(),
  log1p: (x) => x.log1p(),
  expm1: (x) => x.expm1(),
};

describe("Wasm transcendentals against the reference (float64, rounded once to f32)", () => {
  const random = rng(11);
  const sweep = Array.from({ length: 4000 }, (_, i) => (i < 2000 ? (random() * 2 - 1) * 30 : (random() * 2 - 1) * 2 * 10 ** (random() * 6 - 5)));
  const data = Float32Array.from([...edges, ...sweep].slice(0, 4 * Math.floor((edges.length + sweep.length) / 4)));
  const x = input("x", [data.length]);
  for (const [name, op] of Object.entries(ops)) {
    it(`${name}: within 4 ulps on normal results, the same NaN, ±0, ±Inf`, () => {
      const y = op(x);
      const step = compile({ inputs: [x], outputs: { y } }, { backend: "auto" });
      expect(step.kernels.map((k) => k.runs)).toEqual(["wasm"]);
      const got = step.run({ x: data }).y;
      const want = evaluate(y, { x: data });
      let worst = 0;
      let worstAt = -1;
      for (let i = 0; i < data.length; i++) {
        const w = Math.fround(want[i]);
        const g = got[i];
        const special = !Number.isFinite(w) || w === 0 || Math.abs(w) < 1.17549435e-38;
        if (special) {
          // Exact where the reference is NaN, ±Inf or ±0; denormal results within a few of their (coarse) units.
          if (Math.abs(w) < 1.17549435e-38 && w !== 0) expect(Math.abs(g - w), `${name}(${data[i]}) = ${g}, want ${w}`).toBeLessThanOrEqual(4e-45);
          else expect(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)), `${name}(${data[i]}) = ${g}, want ${w}`).toBe(true);
          continue;
        }
        const u = ulps(g, w);
        if (u > worst) [worst, worstAt] = [u, i];
      }
      expect(worst, `${name}: worst at x = ${data[worstAt]}: ${got[worstAt]} vs ${want[worstAt]}`).toBeLessThanOrEqual(4);
    });
  }
});
