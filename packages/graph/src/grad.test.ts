import { describe, expect, test } from "vitest";
import { evaluate } from "./evaluate.ts";
import { grad } from "./grad.ts";
import { exp, input, relu, sum } from "./index.ts";
import type { AnyTensor } from "./tensor.ts";
import { topoSort } from "./traverse.ts";

describe("reverse mode", () => {
  test("fan-out cotangents are summed: d/dx Σ(x·x + x) = 2x + 1", () => {
    const x = input("x", [3]);
    const [gx] = grad(sum(x.mul(x).add(x)), [x]);
    expect(Array.from(evaluate(gx, { x: [1, -2, 0.5] }))).toEqual([3, -3, 2]);
  });

  test("the backward pass reuses forward results instead of recomputing them", () => {
    const x = input("x", [3]);
    const e = exp(x);
    const [gx] = grad(sum(e), [x]);
    // d exp = exp·dx: the gradient graph contains the forward node itself, and only one exp.
    const nodes = topoSort([gx]);
    expect(nodes).toContain(e);
    expect(nodes.filter((n) => n.op === "exp")).toHaveLength(1);
  });

  test("broadcast operands get un-broadcast cotangents", () => {
    const x = input("x", [3, 4]);
    const b = input("b", [4]);
    const c = input("c", [3, 1]);
    const [gb, gc] = grad(sum(x.add(b).mul(c)), [b, c]);
    expect(gb.shape).toEqual([4]);
    expect(gc.shape).toEqual([3, 1]);
    const xv = Array.from({ length: 12 }, (_, i) => i);
    const [gbv, gcv] = evaluate([gb, gc], { x: xv, b: [1, 1, 1, 1], c: [1, 2, 3] });
    expect(Array.from(gbv)).toEqual([6, 6, 6, 6]);
    // Σ_j (x_ij + 1) per row
    expect(Array.from(gcv)).toEqual([0 + 1 + 2 + 3 + 4, 4 + 5 + 6 + 7 + 4, 8 + 9 + 10 + 11 + 4]);
  });

  test("an x that y does not depend on gets zeros of its shape", () => {
    const x = input("x", [2]);
    const z = input("z", [2, 2]);
    const [gz] = grad(sum(x.exp()), [z]);
    expect(Array.from(evaluate(gz, { x: [1, 2] }))).toEqual([0, 0, 0, 0]);
  });

  test("deep chains (3000 ops) differentiate and evaluate without overflowing the stack", () => {
    const x = input("x", [2]);
    let h: AnyTensor = x;
    for (let i = 0; i < 3000; i++) h = h.mul(0.999).add(0.001);
    const [gx] = grad(sum(h), [x]);
    const got = evaluate(gx, { x: [1, 2] });
    expect(got[0]).toBeCloseTo(0.999 ** 3000, 12);
    expect(got[1]).toBeCloseTo(0.999 ** 3000, 12);
  });
  test("relu's gradient mask reads its output: 1 exactly where x > 0, also at NaN, ±0 and ±Inf", () => {
    const x = input("x", [8]);
    const y = relu(x);
    const [gx] = grad(sum(y.mul(3)), [x]);
    // The mask is built on relu's output, not its input (the pre-activation then dies after the forward pass).
    const mask = gx.inputs[0];
    expect(mask.op).toBe("greater");
    expect(mask.inputs[0]).toBe(y);
    const xs = [Number.NaN, -0, 0, -1, 2, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45];
    expect(Array.from(evaluate(gx, { x: xs }))).toEqual(xs.map((v) => (v > 0 ? 3 : 0)));
  });
});
