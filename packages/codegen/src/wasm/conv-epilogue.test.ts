import { add, conv2d, evaluate, grad, input, maxPool2d, mul, param, relu, sigmoid, tanh, type AnyTensor, type Conv2dOptions } from "@gradfold/graph";
import { leavesOf } from "@gradfold/graph/internal";
import { describe, expect, it } from "vitest";
import { compile } from "../compile.ts";
import { expectClose } from "../testing/compare.ts";
import { randomF32, rng } from "../testing/mlp.ts";

const count = (s: readonly (number | string)[]) => s.reduce<number>((a, d) => a * (d as number), 1);

/**
 * Compiles `outs` with each backend and compares with the reference interpreter;
 * returns the Wasm step's source and kernel list for the fusion checks.
 */
function expectMatches(outs: Record<string, AnyTensor>, feeds: Record<string, Float32Array>, what: string) {
  const inputs = leavesOf(Object.values(outs)).inputs;
  const expected = evaluate(Object.values(outs), feeds, {});
  const steps = (["js", "auto"] as const).map((backend) => {
    const step = compile({ inputs, outputs: outs }, { backend });
    const got = step.run(feeds);
    Object.keys(outs).forEach((name, i) => {
      expectClose(got[name], expected[i], `${what} ${name} (${backend})`);
    });
    return step;
  });
  return { js: steps[0], wasm: steps[1] };
}

function feedsFor(shapes: Record<string, readonly number[]>, seed: number): Record<string, Float32Array> {
  const random = rng(seed);
  return Object.fromEntries(Object.entries(shapes).map(([name, s]) => [name, randomF32(count(s), random)]));
}

/** Odd sizes: 7×5 images, 3 images, 5 and 6 output channels, strides, dilations, groups. */
const geometries: [string, number[], number[], Conv2dOptions][] = [
  ["3×3 same, 3 images of 7×5×3, 6 channels", [3, 7, 5, 3], [3, 3, 3, 6], { padding: "same" }],
  ["5×3 stride 2, asymmetric pads, 5 channels", [3, 9, 7, 2], [5, 3, 2, 5], { strides: 2, padding: [2, 1, 0, 2] }],
  ["dilation 2, groups 2", [1, 9, 8, 4], [3, 3, 2, 6], { dilations: 2, groups: 2, padding: "same" }],
];

describe("conv2d with its epilogue fused (conv kernel), Wasm and JS, against the reference", () => {
  for (const [name, xs, ws, options] of geometries) {
    it(`bias + relu in the matmul: ${name}`, () => {
      const x = input("x", xs);
      const w = input("w", ws);
      const b = input("b", [ws[3]]);
      const y = relu(add(conv2d(x, w, options), b));
      const { wasm } = expectMatches({ y }, feedsFor({ x: xs, w: ws, b: [ws[3]] }, xs[1] * 7 + ws[3]), name);
      expect(wasm.kernels.map((k) => k.group)).toEqual([expect.stringMatching(/^#0 conv: conv2d → add → relu \(3 in, 1 out\)/)]);
      expect(wasm.source).toMatch(/\+ bias, relu in the matmul/);
    });

    it(`bias, sigmoid, a residual product and tanh (the rest as one Wasm loop or JS pass): ${name}`, () => {
      const x = input("x", xs);
      const w = input("w", ws);
      const b = input("b", [ws[3]]);
      const y0 = conv2d(x, w, options);
      const r = input("r", y0.shape as number[]);
      const y = tanh(mul(sigmoid(add(y0, b)), r));
      const { wasm } = expectMatches({ y }, feedsFor({ x: xs, w: ws, b: [ws[3]], r: y0.shape as number[] }, 11), name);
      expect(wasm.kernels).toHaveLength(1);
      // The Wasm loop takes a multiple of 4 elements; 3·7·5·6 = 630 is not, so that one is a JS pass.
      const pass = count(y.shape as number[]) % 4 === 0 ? "Wasm" : "JS";
      expect(wasm.source).toMatch(new RegExp(`\\+ bias, sigmoid in the matmul\\) .* then the rest of the epilogue in one ${pass} pass`));
    });
  }

  it("the conv's own value is an output too, and the epilogue reads a per-image scale [n, 1, 1, o] (JS pass: the Wasm loop takes no such broadcast)", () => {
    const x = input("x", [3, 5, 7, 2]);
    const w = input("w", [3, 3, 2, 3]);
    const s = input("s", [3, 1, 1, 3]);
    const y = conv2d(x, w, { padding: "same" });
    const z = relu(mul(y, s));
    const { wasm } = expectMatches({ y, z }, feedsFor({ x: [3, 5, 7, 2], w: [3, 3, 2, 3], s: [3, 1, 1, 3] }, 5), "scale");
    expect(wasm.kernels.map((k) => k.group)).toEqual([expect.stringMatching(/^#0 conv: conv2d → mul → relu \(3 in, 2 out\)/)]);
    expect(wasm.source).toMatch(/then the rest of the epilogue in one JS pass/);
  });

  it("NaN and ±Inf in the bias and the residual propagate as in the reference", () => {
    const x = input("x", [2, 4, 4, 2]);
    const w = input("w", [3, 3, 2, 4]);
    const b = input("b", [4]);
    const r = input("r", [2, 4, 4, 4]);
    const y = add(relu(add(conv2d(x, w, { padding: "same" }), b)), r);
    const feeds = feedsFor({ x: [2, 4, 4, 2], w: [3, 3, 2, 4], b: [4], r: [2, 4, 4, 4] }, 3);
    feeds.b[1] = Number.NaN;
    feeds.b[2] = Number.POSITIVE_INFINITY;
    feeds.r[5] = Number.NEGATIVE_INFINITY;
    feeds.x[0] = Number.NaN;
    expectMatches({ y }, feeds, "special values");
  });

  it("a CNN training step (conv → bias → relu → pool, twice, dense, SGD) matches the reference and fuses both forward convs", () => {
    const random = rng(9);
    const x = input("x", [3, 9, 7, 2]);
    const labels = input("labels", [3], "int32");
    const w1 = param("w1", [3, 3, 2, 4], { init: randomF32(72, random, 0.4) });
    const b1 = param("b1", [4], { init: randomF32(4, random, 0.1) });
    const w2 = param("w2", [3, 3, 4, 5], { init: randomF32(180, random, 0.3) });
    const b2 = param("b2", [5], { init: randomF32(5, random, 0.1) });
    const wd = param("wd", [10, 3], { init: randomF32(30, random, 0.3) });
    const h1 = maxPool2d(relu(add(conv2d(x, w1, { padding: "same" }), b1)), 2);
    const h2 = maxPool2d(relu(add(conv2d(h1, w2, { padding: "same" }), b2)), 2);
    const logits = h2.reshape([3, 10]).matmul(wd);
    const loss = logits.softmaxCrossEntropy(labels).mean();
    const params: AnyTensor[] = [w1, b1, w2, b2, wd];
    const grads = grad(loss, params);
    const updates = params.map((p, i) => [p, p.sub(grads[i].mul(0.1) as AnyTensor)] as const);
    const feeds = { x: randomF32(3 * 9 * 7 * 2, random), labels: Int32Array.of(0, 2, 1) };
    const reference = new Map<string, ArrayLike<number>>();
    const refLosses: number[] = [];
    for (let s = 0; s < 3; s++) {
      const values = evaluate([loss, ...updates.map(([, v]) => v)], { ...feeds, ...Object.fromEntries(reference) } as never, {});
      refLosses.push(values[0][0]);
      params.forEach((p, i) => {
        reference.set((p.params as { name: string }).name, values[i + 1]);
      });
    }
    for (const backend of ["js", "auto"] as const) {
      const step = compile({ inputs: [x, labels], outputs: { loss }, updates }, { backend });
      const convKernels = step.kernels.filter((k) => / conv: /.test(k.group));
      expect(
        convKernels.map((k) => k.group.replace(/^#\d+ /, "").replace(/ \(.*/, "")),
        backend,
      ).toEqual(["conv: conv2d → add → relu", "conv: conv2d → add → relu"]);
      for (let s = 0; s < 3; s++) expect(step.run(feeds).loss[0], `${backend} step ${s}`).toBeCloseTo(refLosses[s], 4);
    }
  });
});
