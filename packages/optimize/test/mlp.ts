import { grad, input, log, mean, mul, mulberry32, neg, oneHot, param, relu, softmax, sub, sum, type AnyTensor } from "@gradfold/graph";
import type { Program } from "../src/program.ts";

/** Seeded uniform init in [-s, s] (graph's mulberry32). */
function init(seed: number, scale: number) {
  return (shape: readonly number[]) => {
    const uniform = mulberry32(seed);
    const n = shape.reduce((x, y) => x * y, 1);
    return Float64Array.from({ length: n }, () => (uniform() - 0.5) * 2 * scale);
  };
}

/**
 * One SGD training step of an MLP written the naive way: softmax cross-entropy as
 * −mean(Σ onehot·log softmax), updates W ← W − lr·g built by hand.
 */
export function mlpTrainingStep(widths: readonly number[] = [784, 256, 128, 10], lr = 0.1): { program: Program; params: AnyTensor[]; loss: AnyTensor } {
  const x = input("x", ["batch", widths[0]]);
  const y = input("y", ["batch"], "int32");
  const params: AnyTensor[] = [];
  let h: AnyTensor = x;
  for (let i = 1; i < widths.length; i++) {
    const W = param(`W${i}`, [widths[i - 1], widths[i]], { init: init(i, 1 / Math.sqrt(widths[i - 1])) });
    const b = param(`b${i}`, [widths[i]], { init: init(100 + i, 0.1) });
    params.push(W, b);
    const z = h.matmul(W).add(b);
    h = i < widths.length - 1 ? relu(z) : z;
  }
  const classes = widths[widths.length - 1];
  const logp = log(softmax(h, -1));
  const loss = neg(mean(sum(mul(oneHot(y, classes), logp), [1])));
  const grads = grad(loss, params);
  const updates = params.map((p, i) => [p, sub(p, mul(grads[i], lr))] as const);
  return { program: { outputs: { loss }, updates }, params, loss };
}
