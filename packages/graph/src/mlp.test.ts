/**
 * The acceptance model: a 3-layer MLP with mean softmax cross-entropy. First
 * and second derivatives against central finite differences in float64.
 */
import { describe, expect, test } from "vitest";
import { ints, rng, uniform } from "../test/random.ts";
import { checkGrad } from "./check-grad.ts";
import { evaluate, type Feeds } from "./evaluate.ts";
import { grad } from "./grad.ts";
import { jvp } from "./jvp.ts";
import { input, param } from "./ops/leaves.ts";
import { mean, sum } from "./ops/reduce.ts";
import { softmaxCrossEntropy } from "./ops/softmax.ts";
import type { AnyTensor, Tensor } from "./tensor.ts";

const random = rng(7);
const init = (fanIn: number) => (shape: readonly number[]) =>
  uniform(
    shape.reduce((a, b) => a * b, 1),
    -1 / Math.sqrt(fanIn),
    1 / Math.sqrt(fanIn),
    random,
  ).map((v) => v * 2);

const x = input("x", ["batch", 6]);
const labels = input("labels", ["batch"], "int32");
const W1 = param("W1", [6, 5], { init: init(6) });
const b1 = param("b1", [5], { init: (s) => uniform(s[0], -0.1, 0.1, random) });
const W2 = param("W2", [5, 4], { init: init(5) });
const b2 = param("b2", [4], { init: (s) => uniform(s[0], -0.1, 0.1, random) });
const W3 = param("W3", [4, 3], { init: init(4) });
const b3 = param("b3", [3], { init: (s) => uniform(s[0], -0.1, 0.1, random) });
const params = [W1, b1, W2, b2, W3, b3] as const;
const nameOf = (t: AnyTensor): string => (t.is("param") ? t.params.name : "");

// Smooth units (tanh, gelu): the second-order checks need a twice-differentiable loss.
const h1: Tensor<["batch", 5], "float32"> = x.matmul(W1).add(b1).tanh();
const h2: Tensor<["batch", 4], "float32"> = h1.matmul(W2).add(b2).gelu();
const logits: Tensor<["batch", 3], "float32"> = h2.matmul(W3).add(b3);
const loss: Tensor<[], "float32"> = mean(softmaxCrossEntropy(logits, labels));

const sizes = { batch: 8 };
const feeds: Feeds = { x: uniform(8 * 6, -2, 2, random), labels: ints(8, 3, random) };
const paramValues = () => Object.fromEntries(params.map((p) => [nameOf(p), evaluate(p)]));

/** Feeds with each param moved by ±h·v (v: one direction array per param). */
function moved(base: Record<string, Float64Array>, v: Float64Array[], h: number): Feeds {
  return { ...feeds, ...Object.fromEntries(params.map((p, i) => [nameOf(p), base[nameOf(p)].map((w, k) => w + h * v[i][k])])) };
}
const directions = () =>
  params.map((p) =>
    uniform(
      p.shape.reduce((a: number, b: number) => a * b, 1),
      -1,
      1,
      random,
    ),
  );
const relError = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-12);

describe("3-layer MLP with softmax cross-entropy", () => {
  test("static shapes are inferred and agree with the run-time shapes", () => {
    expect(h1.shape).toEqual(["batch", 5]);
    expect(logits.shape).toEqual(["batch", 3]);
    expect(loss.shape).toEqual([]);
    const [value] = evaluate([loss], feeds, sizes);
    expect(Number.isFinite(value[0]) && value[0] > 0).toBe(true);
  });

  test("grad matches central finite differences to 1e-6 relative, every element", () => {
    const report = checkGrad(loss, [...params], { feeds, sizes, rtol: 1e-6, atol: 1e-10, maxElements: 100 });
    for (const entry of report.entries) {
      expect(entry, `${entry.name}: ${JSON.stringify(entry.worst)}`).toMatchObject({ ok: true });
      expect(entry.maxRelError).toBeLessThan(1e-6);
      expect(entry.checked).toBe(params.find((p) => nameOf(p) === entry.name)!.shape.reduce((a: number, b: number) => a * b, 1));
    }
  });

  test("grads have their params' static types", () => {
    const [gW1, gb3]: [Tensor<[6, 5], "float32">, Tensor<[3], "float32">] = grad(loss, [W1, b3]);
    expect(gW1.shape).toEqual([6, 5]);
    expect(gb3.shape).toEqual([3]);
  });

  test("Hessian-vector products (grad of ⟨grad, v⟩) match finite differences of the gradient", () => {
    const grads = grad(loss, [...params]);
    const v = directions();
    const vInputs = params.map((p, i) => input(`v${i}`, p.shape));
    const inner = grads.map((gp: AnyTensor, i) => sum(gp.mul(vInputs[i]))).reduce((a, b) => a.add(b));
    const hvp = grad(inner, [...params]);
    const vFeeds = Object.fromEntries(v.map((d, i) => [`v${i}`, d]));
    const analytic = evaluate(hvp, { ...feeds, ...vFeeds }, sizes);
    const base = paramValues();
    const h = 1e-5;
    const plus = evaluate(grads, moved(base, v, h), sizes);
    const minus = evaluate(grads, moved(base, v, -h), sizes);
    let worst = 0;
    analytic.forEach((a, i) => {
      a.forEach((value, k) => {
        const numeric = (plus[i][k] - minus[i][k]) / (2 * h);
        worst = Math.max(worst, Math.abs(value - numeric) / (1e-8 + Math.abs(numeric)));
      });
    });
    expect(worst).toBeLessThan(1e-5);
  });

  test("grad(grad(...)): the gradient of a gradient-norm penalty matches finite differences", () => {
    const [gW1, gW2] = grad(loss, [W1, W2]);
    const penalty = sum(gW1.square()).add(sum(gW2.square()));
    const report = checkGrad(penalty, [W1, W2, b2], { feeds, sizes, rtol: 1e-5, atol: 1e-10 });
    for (const entry of report.entries) expect(entry, `${entry.name}: ${JSON.stringify(entry.worst)}`).toMatchObject({ ok: true });
  });

  test("grad(grad(...)) elementwise: the second derivative of Σ tanh(t)³ is the closed form", () => {
    const t = input("t", [5]);
    const [dt] = grad(sum(t.tanh().mul(t.tanh()).mul(t.tanh())), [t]);
    const [d2] = grad(sum(dt), [t]);
    const tv = uniform(5, -2, 2, random);
    const got = evaluate(d2, { t: tv });
    tv.forEach((value, i) => {
      // f = u³ with u = tanh t: f' = 3u²(1−u²), f'' = (6u − 12u³)(1−u²)
      const u = Math.tanh(value);
      expect(relError(got[i], (6 * u - 12 * u ** 3) * (1 - u * u))).toBeLessThan(1e-12);
    });
  });

  test("jvp matches finite differences of loss and logits along a random direction", () => {
    const v = directions();
    const tangents = params.map((p, i) => input(`tangent${i}`, p.shape));
    const [dLoss, dLogits] = jvp([loss, logits], [...params], tangents);
    expect(dLogits.shape).toEqual(["batch", 3]);
    const tFeeds = Object.fromEntries(v.map((d, i) => [`tangent${i}`, d]));
    const [aLoss, aLogits] = evaluate([dLoss, dLogits], { ...feeds, ...tFeeds }, sizes);
    const base = paramValues();
    const h = 1e-6;
    const [pLoss, pLogits] = evaluate([loss, logits], moved(base, v, h), sizes);
    const [mLoss, mLogits] = evaluate([loss, logits], moved(base, v, -h), sizes);
    expect(relError(aLoss[0], (pLoss[0] - mLoss[0]) / (2 * h))).toBeLessThan(1e-6);
    aLogits.forEach((a, k) => {
      expect(Math.abs(a - (pLogits[k] - mLogits[k]) / (2 * h))).toBeLessThan(1e-7 * (1 + Math.abs(a)));
    });
  });
});
