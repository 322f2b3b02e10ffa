import { evaluate, input, max, mean, min, param, sum } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { type CompiledStep, compile } from "../compile.ts";
import { randomF32, rng } from "../testing/mlp.ts";

/** NaN and infinities exactly; finite values within `rel` of the reference or `floor` in its units. */
function expectFaithful(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rel = 2e-7, floor = 1e-6): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Number.isFinite(want[i])) expect(got[i], `${what}[${i}]`).toBe(want[i]);
    else expect(Math.abs(got[i] - want[i]), `${what}[${i}]: got ${got[i]}, expected ${want[i]}`).toBeLessThanOrEqual(rel * Math.abs(want[i]) + floor);
  }
}

/** Rows 0–1 ordinary, row 2 with NaN, row 3 with +Inf and −Inf, row 4 all −0, row 5 one −Inf. */
function withSpecials(cols: number, seed: number): Float32Array {
  const data = randomF32(6 * cols, rng(seed), 3);
  data[2 * cols + cols - 1] = Number.NaN;
  data[3 * cols] = Number.POSITIVE_INFINITY;
  if (cols > 1) data[3 * cols + 1] = Number.NEGATIVE_INFINITY;
  data.fill(-0, 4 * cols, 5 * cols);
  data[5 * cols + (cols >> 1)] = Number.NEGATIVE_INFINITY;
  return data;
}

const reduceKernels = (step: CompiledStep) => step.kernels.filter((k) => k.group.includes("reduction:"));

describe("sums and maxima over rows or whole tensors as Wasm kernels follow the reference", () => {
  for (const cols of [1, 3, 5, 17, 129]) {
    it(`${cols} columns: row sum, row max, row min, mean with an epilogue, and sum of a product; Wasm; NaN, ±Inf, −0`, () => {
      const x = input("x", [6, cols]);
      const g = input("g", [6, cols]);
      const shift = param("shift", [6], { init: Float32Array.of(1, -2, 0.5, 0, -0, 3) });
      const outs = {
        s: sum(x, [1]),
        m: max(x, [1], true),
        lo: min(x, [1]),
        avg: mean(x, [1]).add(shift),
        dot: sum(g.mul(x), [1]),
      };
      const feeds = { x: withSpecials(cols, cols), g: randomF32(6 * cols, rng(cols + 7)) };
      const step = compile({ inputs: [x, g], outputs: outs });
      expect(reduceKernels(step).map((k) => k.runs)).toEqual(reduceKernels(step).map(() => "wasm"));
      const got = step.run(feeds);
      const want = evaluate([outs.s, outs.m, outs.lo, outs.avg, outs.dot], feeds);
      for (const [i, name] of (["s", "m", "lo", "avg", "dot"] as const).entries()) expectFaithful(got[name], want[i], name);
      // −0 rows: the sum starts from +0 like the reference; the max of −0s is −0. (At one
      // column the optimizer turns the sum into an identity, which keeps −0: not this kernel.)
      if (cols > 1) expect(Object.is(got.s[4], 0)).toBe(true);
      expect(Object.is(got.m[4], -0)).toBe(true);
    });
  }

  it("a whole tensor to a scalar (the loss mean), unfused and fused, with a tail of < 4 elements", () => {
    const v = input("v", [3, 43]);
    const outs = { total: sum(v), avg: mean(v), top: max(v) };
    const data = randomF32(129, rng(3), 5);
    for (const optimize of [false, true]) {
      const step = compile({ inputs: [v], outputs: outs }, { optimize });
      expect(reduceKernels(step).every((k) => k.runs === "wasm")).toBe(true);
      const got = step.run({ v: data });
      const want = evaluate([outs.total, outs.avg, outs.top], { v: data });
      expectFaithful(got.total, want[0], "sum");
      expectFaithful(got.avg, want[1], "mean");
      expectFaithful(got.top, want[2], "max", 0, 0);
    }
    data[128] = Number.NaN;
    const got = compile({ inputs: [v], outputs: outs }).run({ v: data });
    expect([got.total[0], got.avg[0], got.top[0]].every(Number.isNaN)).toBe(true);
  });

  it("sums in float64: values that cancel in f32 are summed exactly, as the reference", () => {
    const v = input("v", [8]);
    const total = sum(v);
    const data = Float32Array.of(1e8, 1, 1, 1, -1e8, 1, 1, 1);
    expect(compile({ inputs: [v], outputs: { total } }).run({ v: data }).total[0]).toBe(evaluate(total, { v: data })[0]);
  });

  for (const cols of [1, 3, 5, 17, 129]) {
    it(`down the columns, ${cols} columns: sums in row order with an update epilogue or a prologue, max, min, over one and two leading axes; NaN, ±Inf, −0`, () => {
      const g = input("g", [6, cols]);
      const g3 = input("g3", [2, 3, cols]);
      const b = param("b", [cols], { init: Float32Array.from({ length: cols }, (_, j) => j - 1) });
      const outs = { top: max(g, [0]), s3: sum(g3, [0, 1]), low: min(g, [0], true), sq: sum(g.mul(g3.reshape([6, cols])), [0]) };
      const newB = b.sub(sum(g, [0]).mul(0.5));
      const data = withSpecials(cols, cols + 3).map((v, i) => (i % cols === 0 && i >= 4 * cols && i < 5 * cols ? -0 : v));
      const feeds = { g: data, g3: data };
      for (const optimize of [false, true]) {
        const step = compile({ inputs: [g, g3], outputs: outs, updates: [[b, newB]] }, { optimize });
        expect(reduceKernels(step).map((k) => k.runs)).toEqual(reduceKernels(step).map(() => "wasm"));
        const want = evaluate([outs.top, outs.s3, outs.low, newB, outs.sq], { ...feeds, b: step.read("b") });
        const got = step.run(feeds);
        expectFaithful(got.top, want[0], "max", 0, 0);
        expectFaithful(got.s3, want[1], "sum over two axes");
        expectFaithful(got.low, want[2], "min", 0, 0);
        expectFaithful(step.read("b"), want[3], "bias update");
        expectFaithful(got.sq, want[4], "sum of a product (prologue)");
      }
    });
  }

  it("a column sum cancelling in float64 row order gives the reference's value exactly", () => {
    const g = input("g", [4, 5]);
    const s = sum(g, [0]);
    const data = Float32Array.from({ length: 20 }, (_, i) => [1e30, 1, -1e30, 1][(i >> 2) & 3] * (i % 5 === 4 ? 1 : 0.5));
    const step = compile({ inputs: [g], outputs: { s } });
    expect(step.kernels[0].runs).toBe("wasm");
    expect([...step.run({ g: data }).s]).toEqual([...evaluate(s, { g: data })].map(Math.fround));
  });
});
