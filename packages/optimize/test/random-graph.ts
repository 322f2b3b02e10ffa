import * as g from "@gradfold/graph";
import type { AnyTensor } from "@gradfold/graph";
import { mulberry32 as rng } from "@gradfold/graph";

export { rng };

type Maker = (pick: () => AnyTensor, r: () => number) => AnyTensor;

const constants = [0, 1, -1, 2, 0.5, 3, 0.1];

/**
 * Ways to grow a random graph. Every result keeps the working shape ["n", 4], so any
 * two values combine; shape-changing ops (reductions, matmul, layout) come back to it.
 */
const makers: Maker[] = [
  (p) => g.neg(p()),
  (p) => g.exp(g.tanh(p())),
  (p) => g.log(p()),
  (p) => g.log(g.add(g.abs(p()), 1)),
  (p) => g.log1p(g.abs(p())),
  (p) => g.sub(g.exp(g.mul(p(), 0.5)), 1),
  (p) => g.sqrt(g.abs(p())),
  (p) => g.sigmoid(p()),
  (p) => g.log(g.sigmoid(p())),
  (p) => g.log(g.sub(1, g.sigmoid(p()))),
  (p) => g.tanh(p()),
  (p) => g.relu(p()),
  (p) => g.softplus(p()),
  (p) => g.erf(p()),
  (p) => g.abs(g.neg(p())),
  (p) => g.add(p(), p()),
  (p) => g.mul(p(), p()),
  (p) => g.sub(p(), p()),
  (p) => g.div(p(), g.add(g.abs(p()), 0.5)),
  (p) => g.maximum(p(), p()),
  (p) => g.minimum(p(), p()),
  (p) => g.pow(g.add(g.abs(p()), 0.1), 2),
  (p, r) => g.mul(p(), constants[Math.floor(r() * constants.length)]),
  (p, r) => g.add(p(), constants[Math.floor(r() * constants.length)]),
  (p, r) => g.div(p(), [2, 4, 0.5, 3, 1][Math.floor(r() * 5)]),
  (p) => g.where(g.greater(p(), p()), p(), p()),
  (p) => g.where(g.greater(p(), 0), p(), 0),
  (p) => {
    const x = p();
    return g.where(g.less(x, 0), x, x);
  },
  (p) => g.add(p(), g.sum(p(), [1], true)),
  (p) => {
    const x = p();
    return g.mul(x, g.broadcastTo(g.mean(p(), [0], true), x.shape));
  },
  (p) => g.sub(p(), g.max(p(), [1], true)),
  (p) => g.add(p(), g.logsumexp(p(), [1], true)),
  (p) => g.softmax(p(), -1),
  (p) => g.log(g.softmax(p(), -1)),
  (p) => g.logSoftmax(p(), -1),
  (p) => g.add(p(), g.log(g.sum(g.exp(p()), [1], true))),
  (p) => g.transpose(g.transpose(p())),
  (p) => {
    const x = p();
    return g.reshape(g.reshape(g.reshape(x, [4, x.shape[0]]), [2, 2, x.shape[0]]), [x.shape[0], 4]);
  },
  (p) => g.mul(p(), g.cast(g.cast(g.greater(p(), 0), "int32"), "float32")),
  (p) => g.matmul(p(), g.constant([0.5, -1, 0.25, 2, 1, 0, -0.5, 0.75, 0.1, 0.2, 0.3, 0.4, -1, 1, -1, 1], [4, 4])),
  (p) => g.matmul(p(), g.matmulT(g.matmulT(p(), p(), true, false), g.constant([1, 0, 0, 1, 0.5, 0.5, 2, -1, 0, 0, 1, 1, 3, 1, 0, 0], [4, 4]), false, true)),
  (p) => g.add(g.mul(p(), 1), g.neg(g.neg(p()))),
  (p) => g.concat([g.slice(p(), [0, 0], [-1, 2]), g.slice(p(), [0, 2], [-1, 2])], 1),
  (p) => g.pad(g.slice(p(), [0, 1], [-1, 3]), [0, 1], [0, 0]),
  (p) => g.gather(p(), g.constant([3, 0, 0, 1], [4], "int32"), 1),
  (p) => g.add(p(), g.reshape(g.scatterAdd(g.sum(p(), [0]), g.constant([1, 1, 0, 3], [4], "int32"), 0, 4), [1, 4])),
  (p) => g.mul(p(), g.cast(g.sign(p()), "int32").cast("float32")),
  (p) => g.where(g.equal(p(), p()), g.clip(p(), -1, 1), 0),
  (p) => g.add(g.stopGradient(p()), p()),
  (p) => g.sub(p(), g.min(p(), [1], true)),
  (p) => g.sum(g.broadcastTo(g.reshape(g.sum(p(), [0]), [1, 1, 4]), [2, 1, 4]), [0]).add(p()) as AnyTensor,
];

/**
 * A random graph over leaves a, b, c of shape ["n", 4], with up to three outputs.
 * With `params`, the leaves are params of shape [3, 4] instead (for update programs).
 */
export function randomGraph(seed: number, steps = 10, options: { params?: boolean } = {}): { outputs: AnyTensor[]; inputs: AnyTensor[] } {
  const r = rng(seed);
  const inputs = ["a", "b", "c"].map((name, i) =>
    options.params ? g.param(name, [3, 4], { init: Array.from({ length: 12 }, (_, k) => Math.sin(seed + 5 * i + k) * 2) }) : g.input(name, ["n", 4]),
  );
  const pool: AnyTensor[] = [...inputs];
  // Prefer recent values so graphs grow deep, not just wide.
  const pick = () => pool[Math.max(0, pool.length - 1 - Math.floor(r() * r() * pool.length))];
  for (let i = 0; i < steps; i++) pool.push(makers[Math.floor(r() * makers.length)](pick, r));
  const outputs = [pool[pool.length - 1], pool[pool.length - 2], pool[Math.floor(r() * pool.length)]];
  return { outputs: [...new Set(outputs)], inputs };
}

export function randomFeeds(seed: number, n: number): Record<string, number[]> {
  const r = rng(seed);
  const f = () => Array.from({ length: n * 4 }, () => r() * 4 - 2);
  return { a: f(), b: f(), c: f() };
}
