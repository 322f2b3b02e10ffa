import { checkGrad, evaluate, input } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { maxAbsDiff, uniform } from "../../test/random.ts";
import { glorotUniform, heNormal } from "../init/initializers.ts";
import { hashString } from "../init/prng.ts";
import { activations, resolveActivation } from "./activations.ts";
import { dense } from "./dense.ts";
import { mlp } from "./mlp.ts";
import { sequential } from "./layer.ts";

const nameOf = (t: { params: unknown }) => (t.params as { name: string }).name;

/** x·W + b for row-major x [n, k], W [k, m], b [m]. */
function affine(x: ArrayLike<number>, W: ArrayLike<number>, b: ArrayLike<number> | null, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = b ? b[j] : 0;
      for (let t = 0; t < k; t++) s += x[i * k + t] * W[t * m + j];
      out[i * m + j] = s;
    }
  }
  return out;
}

describe("dense", () => {
  const x = input("x", ["batch", 3]);
  const xv = uniform(12, -2, 2);

  test("is activation(x·W + b) with named, exposed params", () => {
    const layer = dense(x, 4, { name: "fc", activation: "tanh" });
    expect(layer.params.map(nameOf)).toEqual(["fc/W", "fc/b"]);
    expect(layer.params.map((p) => p.shape)).toEqual([[3, 4], [4]]);
    expect(layer.output.shape).toEqual(["batch", 4]);
    const W = uniform(12, -1, 1);
    const b = [0.1, -0.2, 0.3, 0];
    const out = evaluate(layer.output, { x: xv, "fc/W": W, "fc/b": b }, { batch: 4 });
    expect(maxAbsDiff(out, affine(xv, W, b, 4, 3, 4).map(Math.tanh))).toBeLessThan(1e-12);
  });

  test("defaults: Glorot uniform seeded by the name, zero bias; init and bias options are honoured", () => {
    const layer = dense(x, 5, { name: "d1" });
    const [W, b] = evaluate([...layer.params]);
    expect(Array.from(W)).toEqual(Array.from(glorotUniform({ seed: hashString("d1") })([3, 5])));
    expect(Array.from(b)).toEqual([0, 0, 0, 0, 0]);
    const custom = dense(x, 2, { name: "d2", init: heNormal({ seed: 4 }), bias: false });
    expect(custom.params.map(nameOf)).toEqual(["d2/W"]);
    expect(Array.from(evaluate(custom.params[0]))).toEqual(Array.from(heNormal({ seed: 4 })([3, 2])));
  });

  test("gradients through the layer match finite differences", () => {
    const layer = dense(x, 2, { name: "g", activation: "softplus" });
    const loss = layer.output.square().sum();
    const report = checkGrad(loss, [x, ...layer.params], { feeds: { x: xv }, sizes: { batch: 4 } });
    expect(report.ok, JSON.stringify(report.entries)).toBe(true);
  });

  test("a symbolic feature axis or a bad unit count is refused", () => {
    expect(() => dense(input("z", [2, "f"]), 3)).toThrow(/concrete feature axis/);
    expect(() => dense(x, 0)).toThrow(/units/);
  });
});

describe("activations", () => {
  const points = [-3, -0.5, 0.25, 2];
  const z = input("z", [4]);
  const formulas: Record<string, (v: number) => number> = {
    linear: (v) => v,
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    tanh: Math.tanh,
    relu: (v) => Math.max(v, 0),
    leakyRelu: (v) => (v > 0 ? v : 0.01 * v),
    elu: (v) => (v > 0 ? v : Math.expm1(v)),
    softplus: (v) => Math.log1p(Math.exp(v)),
    silu: (v) => v / (1 + Math.exp(-v)),
  };
  test.each(Object.entries(formulas))("%s matches its formula", (name, f) => {
    const out = evaluate(resolveActivation(name as keyof typeof activations)(z), { z: points });
    expect(maxAbsDiff(out, points.map(f))).toBeLessThan(1e-12);
  });
  test("gelu(1) = Φ(1) = 0.8413447460685429, softmax rows sum to 1", () => {
    expect(evaluate(activations.gelu(z), { z: [1, 0, 0, 0] })[0]).toBeCloseTo(0.8413447460685429, 12);
    const s = evaluate(activations.softmax(z), { z: points });
    expect(s.reduce((a, b) => a + b)).toBeCloseTo(1, 14);
  });
  test("unknown names are refused with the list", () => expect(() => resolveActivation("swish" as never)).toThrow(/relu/));
});

describe("mlp", () => {
  const x = input("x", ["batch", 4]);

  test("[4, 8, 6, 3]: named params, forward equals stacked dense layers", () => {
    const model = mlp(x, [4, 8, 6, 3], { activation: "tanh", seed: 3 });
    expect(model.params.map(nameOf)).toEqual(["mlp/0/W", "mlp/0/b", "mlp/1/W", "mlp/1/b", "mlp/2/W", "mlp/2/b"]);
    expect(model.output.shape).toEqual(["batch", 3]);
    const values = evaluate([...model.params]);
    const xv = uniform(8, -1, 1);
    let h: Float64Array = Float64Array.from(xv);
    const widths = [4, 8, 6, 3];
    for (let i = 0; i < 3; i++) {
      h = affine(h, values[2 * i], values[2 * i + 1], 2, widths[i], widths[i + 1]);
      if (i < 2) h = h.map(Math.tanh);
    }
    expect(maxAbsDiff(evaluate(model.output, { x: xv }, { batch: 2 }), h)).toBeLessThan(1e-12);
  });

  test("init factory and seed: deterministic, per-layer distinct", () => {
    const a = evaluate([...mlp(input("a", [1, 5]), [5, 5, 5], { init: heNormal, seed: 9, name: "a" }).params]);
    const b = evaluate([...mlp(input("b", [1, 5]), [5, 5, 5], { init: heNormal, seed: 9, name: "b" }).params]);
    const c = evaluate([...mlp(input("c", [1, 5]), [5, 5, 5], { init: heNormal, seed: 10, name: "c" }).params]);
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(c[0]);
    expect(a[0]).not.toEqual(a[2]);
  });

  test("init must be a factory: passing an initializer is refused with a hint", () => {
    expect(() => mlp(x, [4, 2], { init: heNormal({ seed: 1 }) as never })).toThrow(/factory such as heNormal/);
  });

  test("sizes[0] must match the input", () => {
    expect(() => mlp(x, [5, 3])).toThrow(/sizes\[0\] is 5 but the input has 4/);
    expect(() => mlp(x, [4])).toThrow(/at least one layer/);
  });

  test("sequential composes layers and collects their params", () => {
    const model = sequential(x, [(h) => dense(h, 3, { name: "s1", activation: "relu" }), (h) => h.mul(2), (h) => dense(h, 2, { name: "s2" })]);
    expect(model.params.map(nameOf)).toEqual(["s1/W", "s1/b", "s2/W", "s2/b"]);
    expect(model.output.shape).toEqual(["batch", 2]);
  });
});
