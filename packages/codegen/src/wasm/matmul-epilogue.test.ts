import { evaluate, input, param } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "../compile.ts";
import { expectClose } from "../testing/compare.ts";
import { randomF32, rng } from "../testing/mlp.ts";

/** The glue line that calls the matmul kernel (it names what the kernel computes itself). */
const matmulCall = (source: string) => source.split("\n").find((l) => l.includes("by the Wasm SIMD kernel")) ?? "";

describe("a matmul's bias and activation run in the matmul kernel where the plan fuses them", () => {
  for (const [m, k, n] of [
    [2, 3, 1],
    [3, 5, 17],
    [5, 17, 129],
    [129, 3, 5],
  ]) {
    for (const act of ["relu", "sigmoid", "tanh"] as const) {
      it(`${act}(x·W + b), ${m}×${k}×${n}, NaN/±Inf/−0 in x and b: in the kernel, as the reference`, () => {
        const x = input("x", [m, k]);
        const W = input("W", [k, n]);
        const b = param("b", [n], { init: Float32Array.from({ length: n }, (_, j) => [Number.NaN, -0, Number.POSITIVE_INFINITY][j] ?? 0.25 * j - 1) });
        const y = x.matmul(W).add(b)[act]();
        const step = compile({ inputs: [x, W], outputs: { y } });
        const kernel = step.kernels[0];
        expect(kernel.runs).toBe("wasm");
        expect(matmulCall(kernel.source)).toContain(`+ bias, ${act} in the kernel`);
        const random = rng(m * 31 + n);
        const feeds = { x: randomF32(m * k, random, 2), W: randomF32(k * n, random) };
        feeds.x[m * k - 1] = -0;
        if (m > 1) feeds.x[k] = Number.NEGATIVE_INFINITY;
        const got = step.run(feeds).y;
        const want = evaluate(y, { ...feeds, b: step.read("b") });
        for (let i = 0; i < want.length; i++) if (!Number.isFinite(want[i])) expect(got[i], `y[${i}]`).toBe(want[i]);
        expectClose(got, want, `${act} layer`, 1e-5);
      });
    }
  }

  it("the rest of the epilogue reads the kernel's result (bias in the kernel, then relu and its mask in a loop)", () => {
    const x = input("x", [4, 8]);
    const W = input("W", [8, 12]);
    const b = input("b", [12]);
    const z = x.matmul(W).add(b);
    const outs = { r: z.relu(), mask: z.greater(0) };
    const step = compile({ inputs: [x, W, b], outputs: outs });
    const kernel = step.kernels.find((k) => k.group.includes("matmul:"))!;
    expect(kernel.runs).toBe("wasm");
    expect(matmulCall(kernel.source)).toContain("+ bias in the kernel");
    const random = rng(4);
    const feeds = { x: randomF32(32, random), W: randomF32(96, random), b: randomF32(12, random) };
    feeds.b[3] = Number.NaN;
    const got = step.run(feeds);
    const [r, mask] = evaluate([outs.r, outs.mask], feeds);
    expectClose(got.r, r, "relu", 1e-5);
    expect([...got.mask]).toEqual([...mask]);
  });

  it("nothing fuses where a skipped value is stored, or where the bias has the output's shape", () => {
    const x = input("x", [4, 8]);
    const W = input("W", [8, 4]);
    const b = input("b", [4]);
    const z = x.matmul(W).add(b);
    const both = compile({ inputs: [x, W, b], outputs: { z, r: z.relu() } });
    expect(matmulCall(both.kernels[0].source)).toContain("+ bias in the kernel");
    expect(matmulCall(both.kernels[0].source)).not.toContain("relu");
    const row = input("row", [1, 8]);
    const one = compile({ inputs: [row, W, b], outputs: { r: row.matmul(W).add(b).relu() } });
    expect(matmulCall(one.kernels[0].source)).not.toContain("in the kernel");
    const random = rng(8);
    const feeds = { row: randomF32(8, random), W: randomF32(32, random), b: randomF32(4, random) };
    expectClose(one.run(feeds).r, evaluate(row.matmul(W).add(b).relu(), feeds), "one row", 1e-5);
  });
});
