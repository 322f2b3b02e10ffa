import { avgPool2d, conv2d, evaluate, grad, input, maxPool2d, mean, param, softmaxCrossEntropy, sum, type AnyTensor, type Conv2dOptions } from "@gradfold/graph";
import { apply, leavesOf, registry } from "@gradfold/graph/internal";
import { describe, expect, it } from "vitest";
import { compile } from "../compile.ts";
import { compileThreaded } from "../node.ts";
import { emit } from "../emit.ts";
import { runInTempFolder } from "../testing/child.ts";
import { expectClose } from "../testing/compare.ts";
import { randomF32, randomLabels, rng } from "../testing/mlp.ts";
import { runUntilWorkerRan } from "../testing/worker-ran.ts";

/** Compiles `outs` and compares every output with the reference, with and without the optimizer. */
function expectMatchesReference(outs: Record<string, AnyTensor>, feeds: Record<string, Float32Array | Int32Array>, what: string, sizes: Record<string, number> = {}): void {
  const inputs = leavesOf(Object.values(outs)).inputs;
  const expected = evaluate(Object.values(outs), feeds, sizes);
  for (const [optimize, backend] of [
    [false, "js"],
    [true, "js"],
    [true, "auto"],
  ] as const) {
    const step = compile({ inputs, outputs: outs, sizes }, { optimize, backend });
    const got = step.run(feeds);
    Object.keys(outs).forEach((name, i) => {
      expectClose(got[name], expected[i], `${what} ${name} (optimize ${optimize}, ${backend})`);
    });
  }
}

const geometries: [string, number[], number[], Conv2dOptions][] = [
  ["1×1 valid", [2, 3, 4, 5], [1, 1, 5, 3], {}],
  ["3×3 same", [2, 7, 5, 3], [3, 3, 3, 4], { padding: "same" }],
  ["5×5 stride 2 same, even input", [1, 8, 8, 2], [5, 5, 2, 3], { strides: 2, padding: "same" }],
  ["stride 3×2, explicit asymmetric pads", [2, 9, 7, 2], [3, 2, 2, 2], { strides: [3, 2], padding: [2, 0, 1, 3] }],
  ["dilation 2×3", [1, 9, 10, 2], [3, 2, 2, 3], { dilations: [2, 3], padding: 1 }],
  ["groups 2", [2, 5, 5, 4], [3, 3, 2, 6], { groups: 2, padding: "same" }],
  ["depthwise ×1", [2, 6, 5, 3], [3, 3, 1, 3], { groups: 3, strides: 2, padding: "same" }],
  ["kernel as large as the input", [1, 4, 3, 2], [4, 3, 2, 2], {}],
];

/** The JS kernels (optimized or not) and the Wasm backend ("auto": im2col + matmul, SIMD pooling) all match. */
describe("conv2d and both gradients, compiled, against the reference", () => {
  for (const [name, xs, ws, options] of geometries) {
    it(name, () => {
      const random = rng(xs.length * 31 + ws[0]);
      const x = input("x", xs);
      const w = input("w", ws);
      const y = conv2d(x, w, options);
      const r = input("r", y.shape);
      const [dx, dw] = grad(sum(y.mul(r)), [x, w]);
      const count = (s: readonly (number | string)[]) => s.reduce<number>((a, d) => a * (d as number), 1);
      const feeds = { x: randomF32(count(xs), random), w: randomF32(count(ws), random), r: randomF32(count(y.shape), random) };
      expectMatchesReference({ y, dx, dw }, feeds, name);
    });
  }

  it("a symbolic batch bound at compile time", () => {
    const x = input("x", ["batch", 6, 6, 2]);
    const w = input("w", [3, 3, 2, 4]);
    const y = conv2d(x, w, { padding: "same" }).relu();
    const [dx] = grad(sum(y), [x]);
    const random = rng(4);
    expectMatchesReference({ y, dx }, { x: randomF32(5 * 72, random), w: randomF32(72, random) }, "batch 5", { batch: 5 });
  });

  it("an empty batch and a batch of one", () => {
    const x = input("x", ["batch", 6, 6, 2]);
    const w = input("w", [3, 3, 2, 3]);
    const y = maxPool2d(conv2d(x, w, { padding: "same" }), 2);
    const [dw, dx] = grad(sum(y), [w, x]);
    const random = rng(8);
    const wv = randomF32(54, random);
    expectMatchesReference({ y, dw, dx }, { x: new Float32Array(0), w: wv }, "batch 0", { batch: 0 });
    expectMatchesReference({ y, dw, dx }, { x: randomF32(72, random), w: wv }, "batch 1", { batch: 1 });
  });

  it("NaN and ±Inf propagate as in the reference; padding is zeros that multiply", () => {
    const x = input("x", [1, 1, 4, 1]);
    const w = input("w", [1, 3, 1, 1]);
    const y = conv2d(x, w, { padding: [0, 0, 1, 1] });
    expectMatchesReference({ y }, { x: Float32Array.of(1, Number.NaN, 3, 4), w: Float32Array.of(Number.POSITIVE_INFINITY, 1, 2) }, "non-finite");
    expectMatchesReference({ y }, { x: Float32Array.of(1, 2, 3, -0), w: Float32Array.of(Number.NaN, 1, 0) }, "NaN tap in padding");
  });
});

describe("pooling and its gradients, compiled, against the reference", () => {
  const cases: [string, (x: AnyTensor) => AnyTensor][] = [
    ["max 2×2", (x) => maxPool2d(x, 2)],
    ["max 3 stride 2 padded 1", (x) => maxPool2d(x, 3, { strides: 2, padding: 1 })],
    ["max 2 dilated 2, stride 1, same", (x) => maxPool2d(x, 2, { strides: 1, dilations: 2, padding: "same" })],
    ["avg 2×2", (x) => avgPool2d(x, 2)],
    ["avg 3×2 stride [1, 2] same (padding not counted)", (x) => avgPool2d(x, [3, 2], { strides: [1, 2], padding: "same" })],
    ["avg 3 stride 2 padded 1, countIncludePad", (x) => avgPool2d(x, 3, { strides: 2, padding: 1, countIncludePad: true })],
  ];
  for (const [name, f] of cases) {
    it(name, () => {
      const random = rng(name.length);
      const x = input("x", [2, 7, 6, 3]);
      const y = f(x);
      const r = input("r", y.shape);
      const [dx] = grad(sum(y.mul(r)), [x]);
      const n = (y.shape as readonly number[]).reduce((a, d) => a * d, 1);
      expectMatchesReference({ y, dx }, { x: randomF32(252, random), r: randomF32(n, random) }, name);
    });
  }

  it("max pooling: ties go to the first maximum, NaN wins, −∞ windows take their first element", () => {
    const x = input("x", [1, 1, 12, 1]);
    const y = maxPool2d(x, [1, 4]);
    const [dx] = grad(sum(y.mul(input("r", [1, 1, 3, 1]))), [x]);
    const I = Number.NEGATIVE_INFINITY;
    const feeds = { x: Float32Array.of(1, 3, 3, 2, Number.NaN, 9, Number.NaN, 1, I, I, I, I), r: Float32Array.of(2, 3, 5) };
    expectMatchesReference({ y, dx }, feeds, "ties and NaN");
    expect(Array.from(compile({ inputs: leavesOf([dx]).inputs, outputs: { dx }, sizes: {} }, { backend: "js" }).run(feeds).dx)).toEqual([0, 2, 0, 0, 0, 0, 3, 0, 5, 0, 0, 0]);
  });

  it("max pooling of int32 data (JS in every backend)", () => {
    const x = input("x", [1, 3, 4, 2], "int32");
    const y = maxPool2d(x, 2, { strides: 1 });
    const feeds = { x: Int32Array.from({ length: 24 }, (_, i) => ((i * 7) % 11) - 5) };
    expectMatchesReference({ y }, feeds, "int32");
  });

  it("max pooling of values at another tensor's argmax (the op's second operand)", () => {
    const random = rng(9);
    const x = input("x", [2, 5, 5, 2]);
    const v = input("v", [2, 5, 5, 2]);
    const y = apply(registry.maxPool2d, [x, v], maxPool2d(x, 2, { strides: 1 }).params as never);
    expectMatchesReference({ y }, { x: randomF32(100, random), v: randomF32(100, random) }, "values at argmax");
  });
});

describe("a small CNN training step, compiled, against the reference", () => {
  it("conv → bias → relu → max pool → conv → avg pool → dense → cross-entropy, SGD, 3 steps", () => {
    const random = rng(21);
    const x = input("x", ["batch", 9, 9, 1]);
    const labels = input("y", ["batch"], "int32");
    const w1 = param("w1", [3, 3, 1, 4], { init: randomF32(36, random, 0.5) });
    const b1 = param("b1", [4], { init: randomF32(4, random, 0.1) });
    const w2 = param("w2", [3, 3, 4, 6], { init: randomF32(216, random, 0.3) });
    const wd = param("wd", [54, 3], { init: randomF32(162, random, 0.3) });
    const h1 = maxPool2d(conv2d(x, w1, { padding: "same" }).add(b1).relu(), 2, { padding: [0, 1, 0, 1] });
    const h2 = avgPool2d(conv2d(h1, w2, { padding: "same" }).tanh(), 3, { strides: 2, padding: 1 });
    const logits = h2.reshape(["batch", 54]).matmul(wd);
    const loss = mean(softmaxCrossEntropy(logits, labels));
    const params: AnyTensor[] = [w1, b1, w2, wd];
    const grads = grad(loss, params);
    const updates = params.map((p, i) => [p, p.sub(grads[i].mul(0.1))] as [AnyTensor, AnyTensor]);
    const sizes = { batch: 5 };
    for (const [optimize, backend] of [
      [false, "js"],
      [true, "js"],
      [true, "auto"],
    ] as const) {
      const step = compile({ inputs: [x, labels], outputs: { loss }, updates, sizes }, { optimize, backend });
      const data = rng(3);
      for (let s = 0; s < 3; s++) {
        const feeds = { x: randomF32(5 * 81, data), y: randomLabels(5, 3, data) };
        const state = Object.fromEntries(params.map((p) => [(p.params as { name: string }).name, step.read((p.params as { name: string }).name)]));
        const expected = evaluate([loss, ...updates.map(([, u]) => u)], { ...feeds, ...state }, sizes);
        expectClose(step.run(feeds).loss, expected[0], `step ${s} loss (optimize ${optimize})`);
        params.forEach((p, i) => {
          expectClose(step.read((p.params as { name: string }).name), expected[i + 1], `step ${s} ${(p.params as { name: string }).name} (optimize ${optimize})`);
        });
      }
    }
  });
});

describe("the Wasm backend takes conv and pooling kernels", () => {
  it("renders them as calls into Wasm (im2col + matmul, SIMD pooling); backend js keeps the JS loops", () => {
    const x = input("x", [2, 8, 8, 3]);
    const w = input("w", [3, 3, 3, 4]);
    const y = maxPool2d(conv2d(x, w, { padding: "same" }), 2);
    const [dx] = grad(sum(y), [x]);
    const spec = { inputs: [x, w], outputs: { y, dx }, sizes: {} };
    const wasmSource = compile(spec, { backend: "auto" }).source;
    expect(wasmSource).toMatch(/conv2d in Wasm SIMD \(im2col \+ matmul, forward\)/);
    expect(wasmSource).toMatch(/conv2dTranspose in Wasm SIMD \(im2col \+ matmul, inputGrad\)/);
    expect(wasmSource).toMatch(/maxPool2d in Wasm SIMD \(max pooling, forward\)/);
    expect(wasmSource).toMatch(/maxPool2dGrad in Wasm SIMD \(max pooling, backward\)/);
    expect(compile(spec, { backend: "js" }).source).not.toMatch(/Wasm SIMD \(/);
  });
});

/** conv 3×3 same → relu → 2×2 pool → dense → cross-entropy, one SGD step (lr 0.1) as a spec. */
function oneConvSgdStep(random: () => number, o: { size: number; channels: number; filters: number; classes: number; pool: typeof maxPool2d | typeof avgPool2d; batch: number }) {
  const features = (o.size / 2) * (o.size / 2) * o.filters;
  const x = input("x", ["batch", o.size, o.size, o.channels]);
  const labels = input("y", ["batch"], "int32");
  const w = param("w", [3, 3, o.channels, o.filters], { init: randomF32(9 * o.channels * o.filters, random, 0.5) });
  const wd = param("wd", [features, o.classes], { init: randomF32(features * o.classes, random, 0.3) });
  const h = o.pool(conv2d(x, w, { padding: "same" }).relu(), 2).reshape(["batch", features]);
  const loss = mean(softmaxCrossEntropy(h.matmul(wd), labels));
  const [gw, gwd] = grad(loss, [w, wd]);
  return {
    inputs: [x, labels],
    outputs: { loss },
    updates: [
      [w, w.sub(gw.mul(0.1))],
      [wd, wd.sub(gwd.mul(0.1))],
    ] as [AnyTensor, AnyTensor][],
    sizes: { batch: o.batch },
  };
}

describe("conv kernels in a two-thread step", () => {
  it("compileThreaded splits the convs' matmuls (here the forward pass and the filter gradient) and is bit-identical to compile()", async () => {
    // 32×32 images: 1024 output rows per image, eight row chunks; 32 filters, two column
    // panels of the filter gradient (36 rows: split by columns).
    const random = rng(21);
    const spec = oneConvSgdStep(random, { size: 32, channels: 4, filters: 32, classes: 3, pool: maxPool2d, batch: 4 });
    const single = compile(spec);
    const threaded = await compileThreaded(spec, { threads: 2, minFlops: 1e3, adaptive: false });
    try {
      // The first conv's input is data: no input gradient here, so its forward and filter gradient.
      expect(
        threaded.splitKernels
          .filter((k) => /^c\d+_(fwd|dcols|dw)$/.test(k))
          .map((k) => k.replace(/^c\d+_/, ""))
          .sort(),
      ).toEqual(["dw", "fwd"]);
      // The conv matmuls count as matmuls, not loops.
      expect(threaded.splitLoops.filter((k) => /^c\d+_/.test(k))).toEqual([]);
      const step = () => {
        const feeds = { x: randomF32(4 * 32 * 32 * 4, random), y: randomLabels(4, 3, random) };
        expect(threaded.run(feeds).loss[0]).toBe(single.run(feeds).loss[0]);
        expect(Array.from(threaded.read("w"))).toEqual(Array.from(single.read("w")));
        expect(Array.from(threaded.read("wd"))).toEqual(Array.from(single.read("wd")));
      };
      expect(runUntilWorkerRan(threaded, step, 3)).toBeGreaterThan(0);
    } finally {
      await threaded.close();
    }
  });

  it("compileThreaded is bit-identical to compile() on a small conv (few rows: its matmuls split by columns or not at all)", async () => {
    const random = rng(12);
    const spec = oneConvSgdStep(random, { size: 8, channels: 2, filters: 4, classes: 3, pool: maxPool2d, batch: 6 });
    const single = compile(spec);
    const threaded = await compileThreaded(spec, { threads: 2, minFlops: 1e3 });
    try {
      for (let s = 0; s < 2; s++) {
        const feeds = { x: randomF32(6 * 128, random), y: randomLabels(6, 3, random) };
        expect(threaded.run(feeds).loss[0]).toBe(single.run(feeds).loss[0]);
        expect(Array.from(threaded.read("w"))).toEqual(Array.from(single.read("w")));
      }
    } finally {
      await threaded.close();
    }
  });
});

describe("emit(): a standalone CNN trainer", () => {
  it("runs with plain node and matches compile() bit for bit (Wasm conv and pooling embedded)", () => {
    const random = rng(13);
    const spec = oneConvSgdStep(random, { size: 6, channels: 1, filters: 4, classes: 2, pool: avgPool2d, batch: 3 });
    const source = emit(spec);
    expect(source).toMatch(/conv2d in Wasm SIMD/);
    const xs = Array.from(randomF32(108, random));
    const main = `import createStep from "./step.mjs";
const step = createStep();
const loss = step.run({ x: Float32Array.from(${JSON.stringify(xs)}), y: Int32Array.of(0, 1, 1) }).loss[0];
console.log(JSON.stringify({ loss, w: Array.from(step.read("w")) }));`;
    const result = JSON.parse(runInTempFolder({ "step.mjs": source, "main.mjs": main }, "main.mjs"));
    const step = compile(spec);
    const expected = step.run({ x: Float32Array.from(xs), y: Int32Array.of(0, 1, 1) }).loss[0];
    expect(result).toEqual({ loss: expected, w: Array.from(step.read("w")) });
  });
});
