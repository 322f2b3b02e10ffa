import { evaluate, where, type AnyTensor } from "@gradfold/graph";
import { leavesOf, opKinds } from "@gradfold/graph/internal";
import { describe, expect, it } from "vitest";
import { compile, type CompiledStep } from "./compile.ts";
import type { Backend } from "./spec.ts";
import { expectClose } from "./testing/compare.ts";
import { maker, opCases, uniform, type Case, type Values } from "./testing/op-cases.ts";
import { wasmFeatures } from "./wasm/index.ts";

/**
 * Every op kind with NaN, ±Infinity and −0 among its float inputs, compiled with each
 * backend, fused and unfused, against the reference interpreter: a kernel follows the
 * reference's IEEE semantics exactly, including the sign of zero.
 */
const specials = [Number.NaN, Infinity, -Infinity, -0, 0];

/** Every `every`-th element a special value (cycling), the rest ordinary. */
const withSpecials =
  (every: number): Values =>
  (random, lo, hi, i) =>
    i % every === 0 ? specials[(i / every) % specials.length] : uniform(random, lo, hi, i);

/**
 * Compiles, runs and compares; returns how many kernels ran as Wasm. The strict "wasm"
 * backend may refuse a graph with a kernel that has no Wasm form (the error must say
 * so); then there is nothing to run, and it returns null.
 */
function check(c: Case, optimize: boolean, backend: Backend, what: string): number | null {
  const inputs = leavesOf([c.out]).inputs;
  let step: CompiledStep;
  try {
    step = compile({ inputs, outputs: { out: c.out }, sizes: c.sizes ?? {} }, { optimize, backend });
  } catch (error) {
    if (backend !== "wasm") throw error;
    expect((error as Error).message, what).toMatch(/^compile: backend "wasm": \d+ of \d+ kernels have no Wasm SIMD form: .+; use backend "auto" to run them in JS$/);
    return null;
  }
  const expected = evaluate(c.out, c.feeds, c.sizes ?? {});
  const feeds = Object.fromEntries(inputs.map((x) => [(x.params as { name: string }).name, c.feeds[(x.params as { name: string }).name]]));
  expectClose(step.run(feeds).out, expected, what, { signedZeros: true });
  return step.stats.wasmKernels;
}

describe("NaN, ±Infinity and −0 through every op kind, every backend, fused and unfused", () => {
  for (const kind of opKinds) {
    it(kind, () => {
      for (const backend of ["js", "wasm", "auto"] as const) {
        for (const optimize of [false, true]) {
          for (const every of [3, 11]) {
            check(opCases[kind](every, withSpecials(every)), optimize, backend, `${kind} (${backend}, optimize ${optimize}, a special every ${every})`);
          }
        }
      }
    });
  }
});

/**
 * Chains shaped so the Wasm SIMD backend takes them (a multiple of 4 elements, full,
 * row or one-element operands; matmuls with their epilogues), so its lanes see the
 * special values too.
 */
const wasmShaped: Record<string, (x: AnyTensor, row: AnyTensor, y: AnyTensor) => AnyTensor> = {
  relu: (x) => x.relu(),
  "maximum, minimum": (x, row, y) => x.maximum(y).add(x.minimum(row)),
  "neg, abs, sqrt": (x) => x.neg().abs().sqrt(),
  "reciprocal, rsqrt": (x, row) => x.reciprocal().add(row.rsqrt()),
  "add, mul, div": (x, row, y) => x.add(row).mul(y).div(row),
  "where of comparisons": (x, row, y) => where(x.greater(row), x, where(x.less(y), y, where(x.equal(row), row, x.mul(2)))),
  "matmul + bias, relu epilogue": (x, row, y) =>
    x
      .matmul(y.reshape([12, 8]))
      .relu()
      .matmul(x)
      .add(row),
  "matmul, transposed": (x, _, y) => x.matmul(y.transpose([1, 0])),
};

describe("NaN, ±Infinity and −0 through the Wasm SIMD kernels' lanes", () => {
  for (const [name, build] of Object.entries(wasmShaped)) {
    it(name, () => {
      for (const backend of ["wasm", "auto"] as const) {
        for (const optimize of [false, true]) {
          const m = maker(7, withSpecials(3));
          const out = build(m.f([8, 12]), m.f([12]), m.f([8, 12]));
          const wasmKernels = check({ out, feeds: m.feeds }, optimize, backend, `${name} (${backend}, optimize ${optimize})`);
          // Where the engine has Wasm SIMD, these rows exist to exercise it.
          if (wasmFeatures().simd && backend === "auto") expect(wasmKernels, `${name}: kernels that ran as Wasm`).toBeGreaterThan(0);
        }
      }
    });
  }
});

describe("out-of-range int inputs, every backend, fused and unfused", () => {
  for (const kind of ["gather", "scatterAdd", "oneHot", "softmaxCrossEntropy"] as const) {
    it(kind, () => {
      const c = opCases[kind](1);
      const inputs = leavesOf([c.out]).inputs;
      const name = Object.keys(c.feeds).find((n) => c.feeds[n] instanceof Int32Array)!;
      for (const backend of ["js", "wasm", "auto"] as const) {
        for (const optimize of [false, true]) {
          let step: CompiledStep;
          try {
            step = compile({ inputs, outputs: { out: c.out }, sizes: c.sizes ?? {} }, { optimize, backend });
          } catch (error) {
            if (backend === "wasm") continue; // strict: a kernel without a Wasm form (checked above)
            throw error;
          }
          for (const value of [-1, 1_000_000]) {
            const bad = Int32Array.from(c.feeds[name] as Int32Array);
            bad[bad.length - 1] = value;
            expect(() => step.run({ ...c.feeds, [name]: bad }), `${kind} ${backend} optimize ${optimize}`).toThrow(
              new RegExp(`^run: input "${name}": element ${bad.length - 1} is ${value}, outside \\[0, \\d+\\) that ${kind} .* needs; nothing was changed$`),
            );
            // The reference refuses these too, except oneHot, which gives a row of zeros there (run() is stricter).
            if (kind !== "oneHot") expect(() => evaluate(c.out, { ...c.feeds, [name]: bad }, c.sizes ?? {})).toThrow(/out of range/);
          }
        }
      }
    });
  }
});
