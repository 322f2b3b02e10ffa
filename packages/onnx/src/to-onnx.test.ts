import { describe, expect, it } from "vitest";
import * as ort from "onnxruntime-node";
import { concat, defineCustomOp, evaluate, grad, input, mulberry32, param, softmaxCrossEntropy, type AnyTensor } from "@gradfold/graph";
import { toOnnx } from "./index.ts";

function seeded(n: number, seed: number, scale = 1): Float32Array {
  const uniform = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (uniform() - 0.5) * 2 * scale);
}

async function runOnnx(model: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(model);
  const result = await session.run(feeds);
  return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, Float32Array.from(v.data as Float32Array)]));
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(rtol * Math.max(1, Math.abs(expected[i])));
  }
}

describe("toOnnx", () => {
  it("exports a trained MLP that onnxruntime evaluates like gradfold", async () => {
    const x = input("x", ["batch", 6]);
    const W1 = param("W1", [6, 5], { init: seeded(30, 1) });
    const b1 = param("b1", [5], { init: seeded(5, 2) });
    const W2 = param("W2", [5, 3], { init: seeded(15, 3) });
    const probs = x.matmul(W1).add(b1).relu().matmul(W2).softmax();
    // "Trained" values differ from the initial ones: the export must carry them.
    const trained = { W2: seeded(15, 9) };
    const data = seeded(4 * 6, 4);
    const model = toOnnx({ probs }, { params: trained });
    const got = await runOnnx(model, { x: new ort.Tensor("float32", data, [4, 6]) });
    const want = evaluate(probs, { x: data, W2: trained.W2 }, { batch: 4 });
    expectClose(got.probs, want);
  });

  it("lowers a wide set of ops the same way the reference interpreter evaluates them", async () => {
    const x = input("x", [3, 4]);
    const y = input("y", [3], "int32");
    const parts: Record<string, AnyTensor> = {
      unary: x.exp().add(x.abs().log1p()).add(x.tanh()).add(x.sigmoid()).add(x.softplus()).add(x.erf()).add(x.square().add(1).rsqrt()),
      expm1: x.expm1().mul(x.sign()),
      binary: x.maximum(0.25).minimum(x.mul(2)).div(x.abs().add(1)).sub(x.abs().add(0.5).pow(1.5)),
      compare: x
        .greater(0)
        .cast("float32")
        .add(x.notEqual(x.mul(-1)).cast("float32")),
      reduce: x.sum(1).add(x.max(1)).add(x.logsumexp(1)).add(x.mean(1)),
      layout: concat([x.transpose(), x.transpose().slice([1, 0], [2, -1])], 0).reshape([2, 9]),
      pad: x.slice([0, 1], [2, 2]).broadcastTo([2, 2, 2]).sum(0),
      gather: x.gather(y, 0).logSoftmax(),
      loss: softmaxCrossEntropy(x, y),
      oneHot: y.oneHot(4).mul(x),
      matmulT: x.transpose().matmul(x).add(x.matmul(x.transpose()).sum()),
    };
    const xs = seeded(12, 5, 2);
    const ys = [2, 0, 1];
    const model = toOnnx(parts);
    const got = await runOnnx(model, { x: new ort.Tensor("float32", xs, [3, 4]), y: new ort.Tensor("int32", Int32Array.from(ys), [3]) });
    for (const [name, t] of Object.entries(parts)) {
      const want = evaluate(t, { x: xs, y: ys });
      expectClose(got[name], want);
    }
  });

  it("keeps symbolic dims symbolic, or fixes them from sizes", async () => {
    const x = input("x", ["batch", 2]);
    const out = x.mul(2).sum(1);
    const free = await runOnnx(toOnnx({ out }), { x: new ort.Tensor("float32", Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]) });
    expectClose(free.out, [6, 14, 22]);
    const session = await ort.InferenceSession.create(toOnnx({ out }, { sizes: { batch: 1 } }));
    const one = await session.run({ x: new ort.Tensor("float32", Float32Array.of(1, 2), [1, 2]) });
    expectClose(one.out.data as Float32Array, [6]);
    await expect(session.run({ x: new ort.Tensor("float32", Float32Array.of(1, 2, 3, 4), [2, 2]) })).rejects.toThrow(
      /invalid dimensions for input: x[\s\S]*index: 0 Got: 2 Expected: 1/,
    );
  });

  it("rejects training-only ops and non-tensor outputs with a clear error", () => {
    const x = input("x", [3]);
    expect(() => toOnnx({})).toThrow(/at least one named output/);
    expect(() => toOnnx({ bad: 3 as unknown as AnyTensor })).toThrow(/"bad" is not a Tensor/);
    const idx = input("i", [2], "int32");
    const [gx] = grad(x.gather(idx).square().sum(), [x]);
    expect(() => toOnnx({ gx })).toThrow(/scatterAdd cannot be exported/);
  });

  it("refuses a user-defined op by name: its semantics are JS functions", () => {
    const cube = defineCustomOp({ name: "cube", arity: 1, shape: ([s]) => s, scalar: (v) => v ** 3, vjp: ({ inputs: [v], grad: dy }) => [dy.mul(v.square().mul(3))] });
    const x = input("x", [3]);
    expect(() => toOnnx({ y: cube(x).add(x) })).toThrow(new RegExp(`custom op "cube" \\(#${cube.id}\\) cannot be exported`));
  });
});
