import { evaluate, input, param, type AnyTensor } from "@gradfold/graph";
import { describe, it } from "vitest";
import { compile } from "./compile.ts";
import { expectClose } from "./testing/compare.ts";
import { randomF32, rng } from "./testing/mlp.ts";

/**
 * Random updates that read each other's targets in every order (the hazards of
 * in-place writes): every output and new value must come from the old state, so two
 * steps of the compiled program must match the reference run on the state read back.
 */
function randomStep(seed: number) {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const rows = pick([1, 4, 5, 8]);
  const cols = pick([4, 3, 8]);
  const x = input("x", [rows, cols]);
  const p = param("p", [rows, cols], { init: randomF32(rows * cols, random) });
  const q = param("q", [cols], { init: randomF32(cols, random) });
  const t = param("t", [], { init: 1 });
  const pool: AnyTensor[] = [x, p, q, t, p.mul(x)];
  const ops = [
    (a: AnyTensor, b: AnyTensor) => a.add(b),
    (a: AnyTensor, b: AnyTensor) => a.mul(b.tanh()),
    (a: AnyTensor, b: AnyTensor) => a.sub(b.mul(0.1)),
    (a: AnyTensor) => a.sum(0),
    (a: AnyTensor) => a.sum(),
    (a: AnyTensor, b: AnyTensor) =>
      a
        .transpose()
        .matmul(b.broadcastTo([rows, cols]))
        .sum(1),
  ];
  for (let i = 0; i < 5; i++) {
    const f = pick(ops);
    const a = pick(pool.filter((n) => n.rank === 2));
    pool.push(f(a, pick(pool)));
  }
  const fit = (v: AnyTensor, shape: readonly number[]) =>
    shape.length === 0
      ? v.sum()
      : v.rank === shape.length && v.shape.every((d: unknown, i: number) => d === shape[i])
        ? v
        : v.sum().add(
            v
              .sum()
              .mul(0)
              .broadcastTo(shape as number[]),
          );
  const newP = fit(pick(pool), [rows, cols]).mul(0.5).add(p);
  const newQ = fit(pick(pool), [cols]).mul(0.25).add(q.mul(0.9));
  const newT = t.add(1);
  const outputs = { out: pick(pool).sum(), pOld: p, viaQ: q.mul(2) };
  const updates = pick([
    [
      [p, newP],
      [q, newQ],
      [t, newT],
    ],
    [
      [t, newT],
      [q, newQ],
      [p, newP],
    ],
    [
      [q, newP.sum(0)],
      [p, newP.add(newQ)],
      [t, q.sum()],
    ],
  ] as Array<Array<readonly [AnyTensor, AnyTensor]>>);
  return { spec: { inputs: [x], outputs, updates }, rows, cols, random };
}

describe("random updates: everything from the old state", () => {
  for (let seed = 1; seed <= 25; seed++) {
    it(`seed ${seed}`, () => {
      const { spec, rows, cols, random } = randomStep(seed);
      for (const backend of ["js", "auto"] as const) {
        const step = compile(spec, { backend });
        for (let s = 0; s < 2; s++) {
          const feeds = { x: randomF32(rows * cols, random) };
          const state = { p: step.read("p"), q: step.read("q"), t: step.read("t") };
          const names = Object.keys(spec.outputs) as Array<keyof typeof spec.outputs>;
          const expected = evaluate([...names.map((n) => spec.outputs[n]), ...spec.updates.map(([, v]) => v)], { ...feeds, ...state });
          const out = step.run(feeds);
          names.forEach((n, i) => {
            expectClose(out[n], expected[i], `seed ${seed} ${backend} step ${s} output ${n}`, 2e-4);
          });
          spec.updates.forEach(([target], i) => {
            expectClose(step.read((target.params as { name: string }).name), expected[names.length + i], `seed ${seed} ${backend} step ${s} update ${i}`, 2e-4);
          });
        }
      }
    });
  }
});
