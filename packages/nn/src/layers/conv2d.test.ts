import { avgPool2d, checkGrad, conv2d as conv2dOp, evaluate, input, initialValue, mul, sum } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { uniform } from "../../test/random.ts";
import { batchNorm } from "./normalization.ts";
import { conv2d } from "./conv2d.ts";
import { dense } from "./dense.ts";
import { sequential } from "./layer.ts";
import { avgPooling, flatten, globalAvgPooling, maxPooling } from "./pooling.ts";
import { residualConvBlock } from "./residual-conv.ts";

const nameOf = (t: { params: unknown }) => (t.params as { name: string }).name;

function moments(values: ArrayLike<number>): { mean: number; std: number; maxAbs: number } {
  const n = values.length;
  let s = 0;
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    s += values[i];
    maxAbs = Math.max(maxAbs, Math.abs(values[i]));
  }
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / n), maxAbs };
}

describe("conv2d layer", () => {
  test("is activation(conv2d(x, W) + b) with named params of the right shapes", () => {
    const x = input("x", ["batch", 6, 5, 2]);
    const layer = conv2d(x, 4, { name: "c1", kernelSize: [3, 2], strides: 2, padding: "same", activation: "tanh" });
    const [W, b] = layer.params;
    expect(layer.params.map(nameOf)).toEqual(["c1/W", "c1/b"]);
    expect(W.shape).toEqual([3, 2, 2, 4]);
    expect(b.shape).toEqual([4]);
    expect(layer.output.shape).toEqual(["batch", 3, 3, 4]);
    const xv = uniform(2 * 60, -2, 2);
    const bv = uniform(4);
    const want = evaluate(conv2dOp(x, W, { strides: 2, padding: "same" }).add(b).tanh(), { x: xv, "c1/b": bv }, { batch: 2 });
    expect(Array.from(evaluate(layer.output, { x: xv, "c1/b": bv }, { batch: 2 }))).toEqual(Array.from(want));
  });

  test("passes stride and dilation (PyTorch's names) to the op", () => {
    const x = input("x", [1, 9, 9, 2]);
    const layer = conv2d(x, 3, { name: "s", kernelSize: 3, stride: 2, dilation: 2, padding: 1 });
    expect(layer.output.shape).toEqual([1, 4, 4, 3]);
  });

  test("He normal init (fan-in = kh·kw·in) under ReLU, Glorot uniform otherwise", () => {
    const x = input("x", ["batch", 8, 8, 16]);
    const he = moments(initialValue(conv2d(x, 64, { name: "he", kernelSize: 5, activation: "relu" }).params[0]));
    expect(Math.abs(he.mean)).toBeLessThan(0.05 * Math.sqrt(2 / 400));
    expect(he.std / Math.sqrt(2 / (5 * 5 * 16))).toBeCloseTo(1, 1);
    const glorot = moments(initialValue(conv2d(x, 64, { name: "glorot", kernelSize: 5 }).params[0]));
    const limit = Math.sqrt(6 / (5 * 5 * 16 + 5 * 5 * 64));
    expect(glorot.maxAbs).toBeLessThanOrEqual(limit);
    expect(glorot.std / (limit / Math.sqrt(3))).toBeCloseTo(1, 1);
    // Depthwise: fan-in counts the group's one input channel.
    const dw = moments(initialValue(conv2d(x, 32, { name: "dw", kernelSize: 3, groups: 16, activation: "relu" }).params[0]));
    expect(dw.std / Math.sqrt(2 / 9)).toBeCloseTo(1, 0);
  });

  test("different names give different filters, the same name the same", () => {
    const x = input("x", [1, 4, 4, 2]);
    const a = initialValue(conv2d(x, 3, { name: "a", kernelSize: 3 }).params[0]);
    expect(initialValue(conv2d(x, 3, { name: "b", kernelSize: 3 }).params[0])).not.toEqual(a);
    expect(initialValue(conv2d(x, 3, { name: "a", kernelSize: 3 }).params[0])).toEqual(a);
  });

  test.each([
    [
      "a rank-2 input",
      () => conv2d(input("v", ["batch", 3]) as never, 4, { kernelSize: 3 }),
      /conv2d "conv2d": expected an NHWC input \[batch, height, width, channels\], got shape \["batch",3\]/,
    ],
    ["zero filters", () => conv2d(input("v", [1, 4, 4, 2]), 0, { kernelSize: 3 }), /filters must be a positive integer, got 0/],
    ["a bad kernel size", () => conv2d(input("v", [1, 4, 4, 2]), 2, { kernelSize: [3] as never }), /kernelSize must be a positive integer or \[kh, kw\]/],
    ["groups not dividing the channels", () => conv2d(input("v", [1, 4, 4, 6]), 2, { kernelSize: 1, groups: 4 }), /groups must divide the 6 input channels, got 4/],
    ["a misspelt conv option", () => conv2d(input("v", [1, 4, 4, 2]), 2, { kernelSize: 3, stides: 2 } as never), /conv2d: unknown option "stides"/],
    ["a kernel larger than the input", () => conv2d(input("v", [1, 4, 4, 2]), 2, { kernelSize: 5 }), /conv2d: a 5×5 kernel/],
  ])("refuses %s", (_name, build, message) => {
    expect(build).toThrow(message);
  });
});

describe("pooling blocks and a LeNet-style stack", () => {
  test("conv → pool → conv → pool → flatten → dense has the expected shapes and params", () => {
    const x = input("x", ["batch", 28, 28, 1]);
    const model = sequential(x, [
      (h) => conv2d(h, 6, { name: "c1", kernelSize: 5, padding: "same", activation: "relu" }),
      maxPooling(2),
      (h) => conv2d(h, 16, { name: "c2", kernelSize: 5, activation: "relu" }),
      avgPooling(2),
      flatten(),
      (h) => dense(h, 10, { name: "out" }),
    ]);
    expect(model.output.shape).toEqual(["batch", 10]);
    expect(model.params.map(nameOf)).toEqual(["c1/W", "c1/b", "c2/W", "c2/b", "out/W", "out/b"]);
    expect(model.params[4].shape).toEqual([5 * 5 * 16, 10]);
  });

  test("avgPooling is avgPool2d; globalAvgPooling gives [batch, channels]", () => {
    const x = input("x", [2, 4, 4, 3]);
    const xv = uniform(96);
    expect(Array.from(evaluate(avgPooling(2)(x) as never, { x: xv }))).toEqual(Array.from(evaluate(avgPool2d(x, 2), { x: xv })));
    expect((globalAvgPooling()(x) as { shape: unknown }).shape).toEqual([2, 3]);
  });
});

describe("batch norm over channels (NHWC: the last axis)", () => {
  test("normalises each channel over batch, height and width", () => {
    const x = input("x", [3, 4, 5, 2]);
    const xv = uniform(120, -3, 5);
    const y = evaluate(batchNorm(x, { name: "bn" }).output, { x: xv });
    for (let c = 0; c < 2; c++) {
      const channel = Array.from(y).filter((_, i) => i % 2 === c);
      const m = moments(channel);
      expect(m.mean).toBeCloseTo(0, 10);
      expect(m.std).toBeCloseTo(1, 3);
    }
  });
});

describe("residualConvBlock", () => {
  test("identity shortcut when shapes agree; strided 1×1 projection (+ BN) when they do not", () => {
    const x = input("x", ["batch", 8, 8, 4]);
    const same = residualConvBlock(x, { name: "r1" });
    expect(same.output.shape).toEqual(["batch", 8, 8, 4]);
    expect(same.params.map(nameOf)).toEqual(["r1/conv1/W", "r1/bn1/gamma", "r1/bn1/beta", "r1/conv2/W", "r1/bn2/gamma", "r1/bn2/beta"]);
    expect(same.state.length).toBe(4);
    expect(same.updates.length).toBe(4);
    const down = residualConvBlock(x, { name: "r2", filters: 8, strides: 2 });
    expect(down.output.shape).toEqual(["batch", 4, 4, 8]);
    expect(down.params.map(nameOf)).toContain("r2/projection/W");
    expect(down.params.map(nameOf)).toContain("r2/projection/bn/gamma");
  });

  test("without batch norm: relu(x + conv(relu(conv(x)))) with biases, by value", () => {
    const x = input("x", [2, 5, 5, 3]);
    const block = residualConvBlock(x, { name: "r", batchNorm: false });
    const [W1, b1, W2, b2] = block.params;
    const h = conv2dOp(x, W1, { padding: "same" }).add(b1).relu();
    const want = conv2dOp(h, W2, { padding: "same" }).add(b2).add(x).relu();
    const xv = uniform(150);
    expect(Array.from(evaluate(block.output, { x: xv }))).toEqual(Array.from(evaluate(want, { x: xv })));
  });

  test("its gradient matches finite differences (with batch norm, projection and stride)", () => {
    const x = input("x", [2, 4, 4, 2]);
    const block = residualConvBlock(x, { name: "g", filters: 3, strides: 2 });
    const r = input("r", block.output.shape);
    const loss = sum(mul(block.output, r));
    const report = checkGrad(loss, [x, block.params[0]], { feeds: { x: uniform(64, -2, 2), r: uniform(24) }, maxElements: 24 });
    for (const entry of report.entries) expect(entry, entry.name).toMatchObject({ ok: true });
  });
});
