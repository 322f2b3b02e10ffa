import { describe, expect, it } from "vitest";
import * as ort from "onnxruntime-node";
import { avgPool2d, conv2d, conv2dFilterGrad, conv2dTranspose, evaluate, globalAvgPool2d, grad, input, maxPool2d, param, sum, type AnyTensor } from "@gradfold/graph";
import { toOnnx } from "./index.ts";

function seeded(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 2 * scale;
  });
}

async function run(outputs: Record<string, AnyTensor>, x: Float32Array, shape: number[]): Promise<Record<string, ArrayLike<number>>> {
  const session = await ort.InferenceSession.create(toOnnx(outputs));
  const result = await session.run({ x: new ort.Tensor("float32", x, shape) });
  return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v.data as Float32Array]));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected[i])));
  }
}

describe("toOnnx: conv and pooling (NHWC wrapped in layout transposes)", () => {
  it("a small CNN's layers, each, as onnxruntime computes them", async () => {
    const x = input("x", ["batch", 9, 8, 4]);
    const w = (name: string, shape: number[], seed: number) =>
      param(name, shape, {
        init: seeded(
          shape.reduce((a, b) => a * b, 1),
          seed,
          0.5,
        ),
      });
    const parts: Record<string, AnyTensor> = {
      same: conv2d(x, w("w1", [3, 3, 4, 5], 1), { padding: "same" }).relu(),
      stride2Asymmetric: conv2d(x, w("w2", [3, 2, 4, 3], 2), { strides: [2, 3], padding: [1, 0, 2, 1] }),
      dilatedGrouped: conv2d(x, w("w3", [2, 3, 2, 6], 3), { dilations: [2, 1], groups: 2, padding: 1 }),
      depthwise: conv2d(x, w("w4", [3, 3, 1, 8], 4), { groups: 4, strides: 2, padding: "same" }),
      maxPool: maxPool2d(x, 3, { strides: 2, padding: 1 }),
      maxPoolDilated: maxPool2d(x, 2, { strides: 1, dilations: 2 }),
      avgPool: avgPool2d(x, [3, 2], { strides: [2, 1], padding: "same" }),
      avgPoolCountingPad: avgPool2d(x, 3, { strides: 2, padding: 1, countIncludePad: true }),
      globalAvg: globalAvgPool2d(x),
      transposed: conv2dTranspose(x, w("w5", [3, 3, 2, 4], 5), { inputSize: [18, 16], strides: 2, padding: "same" }),
      transposedGrouped: conv2dTranspose(x, w("w6", [2, 2, 3, 4], 6), { inputSize: [10, 9], groups: 2 }),
    };
    const data = seeded(2 * 9 * 8 * 4, 7, 2);
    const got = await run(parts, data, [2, 9, 8, 4]);
    for (const [name, t] of Object.entries(parts)) expectClose(got[name], evaluate(t, { x: data }, { batch: 2 }), name);
  });

  it("training-only ops say so", () => {
    const x = input("x", [1, 4, 4, 1]);
    const w = input("w", [3, 3, 1, 1]);
    const g = input("g", [1, 2, 2, 1]);
    expect(() => toOnnx({ dw: conv2dFilterGrad(x, g, { kernelSize: [3, 3] }) })).toThrow(/conv2dFilterGrad cannot be exported \(a training-only op/);
    const [dx] = grad(sum(maxPool2d(conv2d(x, w), 2)), [x]);
    expect(() => toOnnx({ dx })).toThrow(/maxPool2dGrad cannot be exported/);
    expect(() => toOnnx({ y: avgPool2d(x, 2, { dilations: 2, strides: 1 }) })).toThrow(/avgPool2d with dilations \[2,2\] cannot be exported/);
  });
});
