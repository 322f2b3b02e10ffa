import { input, where, type AnyTensor } from "@gradfold/graph";
import { rng } from "./mlp.ts";

/**
 * Randomly composed graphs (a fixed seed each) over a matrix, a row and a scalar at odd
 * sizes: whatever the optimizer fuses them into, the compiled step must agree with
 * the reference. Ops are kept in domains where float32 stays well conditioned.
 */
export function randomGraph(seed: number) {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const rows = pick([1, 3, 4, 9, 16]);
  const cols = pick([1, 4, 5, 12]);
  const m = input("m", [rows, cols]);
  const r = input("r", [cols]);
  const s = input("s", []);
  const pool: AnyTensor[] = [m, r, s, m.tanh()];
  const isFull = (t: AnyTensor) => t.rank === 2 && t.shape[0] === rows && t.shape[1] === cols;
  const full = () => pool.filter(isFull);
  const unary = [
    (a: AnyTensor) => a.tanh(),
    (a: AnyTensor) => a.relu(),
    (a: AnyTensor) => a.abs().add(1).sqrt(),
    (a: AnyTensor) => a.sigmoid(),
    (a: AnyTensor) => a.mul(0.5).exp(),
    (a: AnyTensor) => a.neg(),
    // Layout: same shape back, different element order.
    (a: AnyTensor) => (isFull(a) ? a.transpose().reshape([rows, cols]) : a),
    (a: AnyTensor) => (isFull(a) && cols > 1 ? a.slice([0, 1], [rows, cols - 1]).pad([0, 1], [0, 0]) : a),
    (a: AnyTensor) => (isFull(a) && cols > 1 ? a.slice([0, 1], [rows, cols - 1]).concat([a.slice([0, 0], [rows, 1])] as never, 1) : a),
    (a: AnyTensor) => (isFull(a) ? a.softmax(0) : a),
  ];
  const binary = [
    (a: AnyTensor, b: AnyTensor) => a.add(b),
    (a: AnyTensor, b: AnyTensor) => a.mul(b),
    (a: AnyTensor, b: AnyTensor) => a.maximum(b),
    (a: AnyTensor, b: AnyTensor) => a.div(b.abs().add(1)),
    (a: AnyTensor, b: AnyTensor) => where(a.greater(b), a, b.mul(0.5)),
  ];
  const reductions = [(a: AnyTensor) => a.sum(-1, true), (a: AnyTensor) => a.max(0), (a: AnyTensor) => a.mean(), (a: AnyTensor) => a.logsumexp(-1, true)];
  for (let i = 0; i < 6; i++) {
    const kind = random();
    if (kind < 0.35) pool.push(pick(unary)(pick(pool)));
    else if (kind < 0.75) pool.push(pick(binary)(pick(full()), pick(pool)));
    else if (kind < 0.9) pool.push(pick(reductions)(pick(full())));
    else
      pool.push(
        pick(full())
          .matmul(m.transpose().matmul(pick(full())).mul(0.1))
          .tanh(),
      );
  }
  const out = pool[pool.length - 1].add(pool[pool.length - 2].sum());
  return { out, rows, cols, random };
}
