/**
 * Random compositions of ops (seeded): the gradient of each whole graph against finite
 * differences, so rules are checked in combination (broadcasts meeting reductions,
 * layout ops feeding contractions, fan-out) and not only one at a time.
 */
import { expect, test } from "vitest";
import { rng } from "../test/random.ts";
import { checkGrad } from "./check-grad.ts";
import type { Feeds } from "./evaluate.ts";
import { format } from "./format.ts";
import { grad } from "./grad.ts";
import { numel } from "./shape.ts";
import * as g from "./ops/index.ts";
import type { AnyTensor } from "./tensor.ts";

type Pick = <T>(items: readonly T[]) => T;

/** A positive, smooth reshaping of any value, for ops with a restricted domain. */
const positive = (t: AnyTensor) => g.add(g.mul(t, t), 0.5);

const unaries: ReadonlyArray<(t: AnyTensor) => AnyTensor> = [
  g.exp,
  g.tanh,
  g.sigmoid,
  g.softplus,
  g.neg,
  g.square,
  g.gelu,
  g.erf,
  (t) => g.log(positive(t)),
  (t) => g.sqrt(positive(t)),
  (t) => g.rsqrt(positive(t)),
  (t) => g.reciprocal(positive(t)),
  (t) => g.log1p(positive(t)),
  g.expm1,
];

const binaries: ReadonlyArray<(a: AnyTensor, b: AnyTensor) => AnyTensor> = [g.add, g.sub, g.mul, (a, b) => g.div(a, positive(b)), (a, b) => g.pow(positive(a), g.tanh(b))];

/** Shapes that b can take to broadcast against a: a itself, its trailing part, or 1s in place of some dims. */
function broadcastPartner(shape: readonly number[], random: () => number): number[] {
  const r = random();
  if (r < 0.3) return [...shape];
  if (r < 0.6) return shape.slice(Math.floor(random() * (shape.length + 1)));
  return shape.map((d) => (random() < 0.5 ? 1 : d));
}

function buildRandomGraph(seed: number): { y: AnyTensor; xs: AnyTensor[]; feeds: Feeds } {
  const random = rng(seed);
  const pick: Pick = (items) => items[Math.floor(random() * items.length)];
  const xs: AnyTensor[] = [];
  const feeds: Record<string, Float64Array> = {};
  const leaf = (shape: readonly number[]) => {
    const name = `x${xs.length}`;
    const t = g.input(name, shape);
    xs.push(t);
    feeds[name] = Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1);
    return t;
  };
  let t: AnyTensor = leaf(pick([[2, 3], [3, 2, 2], [4], [2, 1, 3]]));
  const steps = 4 + Math.floor(random() * 4);
  for (let s = 0; s < steps; s++) {
    const shape = t.shape as number[];
    const r = random();
    if (r < 0.25) t = pick(unaries)(t);
    else if (r < 0.5) t = pick(binaries)(t, random() < 0.3 ? t : leaf(broadcastPartner(shape, random)));
    else if (r < 0.6 && shape.length >= 2) {
      // Contract the last axis with a fresh matrix, sometimes through matmulT's transposed form.
      const n = 2 + Math.floor(random() * 2);
      t = random() < 0.5 ? g.matmul(t, leaf([shape[shape.length - 1], n]) as never) : g.matmulT(t, leaf([n, shape[shape.length - 1]]), false, true);
    } else if (r < 0.7 && shape.length >= 1) {
      const axis = Math.floor(random() * shape.length) - (random() < 0.5 ? shape.length : 0);
      const reduce = pick([g.sum, g.max, g.logsumexp, g.mean, g.min] as const);
      t = reduce(t, axis as never, random() < 0.5);
      if (t.rank === 0) t = g.reshape(t, [1]);
    } else if (r < 0.78 && shape.length >= 1) {
      t = pick([g.softmax, g.logSoftmax])(t, -1 as never);
    } else if (r < 0.86 && shape.length >= 2) {
      t = g.transpose(t);
    } else if (r < 0.92 && shape.length >= 1) {
      const last = shape[shape.length - 1];
      const begin = shape.map((_, i) => (i === shape.length - 1 && last > 1 ? 1 : 0));
      t = g.concat([g.slice(t, begin as never, shape.map(() => -1) as never), t] as never, -1);
    } else {
      t = g.where(g.greater(t, 0.1), t, g.mul(t, 0.3));
    }
  }
  return { y: t, xs, feeds };
}

test("gradients of 40 random graphs match central finite differences", () => {
  const failures: string[] = [];
  for (let seed = 1; seed <= 40; seed++) {
    const { y, xs, feeds } = buildRandomGraph(seed);
    const report = checkGrad(y, xs, { feeds, rtol: 1e-5, atol: 1e-8, maxElements: 12, seed });
    for (const e of report.entries) if (!e.ok) failures.push(`seed ${seed} ∂/∂${e.name}: ${JSON.stringify(e.worst)}\n${format(y)}`);
  }
  expect(failures).toEqual([]);
});

test("second derivatives of 15 random graphs: ⟨∇(r·y), v⟩ differentiated again", () => {
  const failures: string[] = [];
  for (let seed = 101; seed <= 115; seed++) {
    const { y, xs, feeds } = buildRandomGraph(seed);
    const random = rng(seed);
    const r = g.constant(
      Array.from({ length: numel(y.shape as number[]) }, () => random() - 0.5),
      y.shape as number[],
    );
    const firsts = grad(g.sum(g.mul(y, r)), xs);
    const z = firsts
      .map((d) =>
        g.sum(
          g.mul(
            d,
            g.constant(
              Array.from({ length: numel(d.shape as number[]) }, () => random() - 0.5),
              d.shape as number[],
            ),
          ),
        ),
      )
      .reduce((a, b) => g.add(a, b));
    const report = checkGrad(z, xs, { feeds, rtol: 1e-5, atol: 1e-7, maxElements: 8, seed });
    for (const e of report.entries) if (!e.ok) failures.push(`seed ${seed} ∂/∂${e.name}: ${JSON.stringify(e.worst)}\n${format(y)}`);
  }
  expect(failures).toEqual([]);
});
