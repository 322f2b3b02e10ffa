import { evaluate, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import { expectClose } from "./testing/compare.ts";
import { mlpStep, randomF32, randomLabels, rng } from "./testing/mlp.ts";

/**
 * The full training step, compiled, against the reference interpreter run on the
 * same program: several steps, each reference step fed the compiled step's params,
 * so the comparison is per step and errors cannot compound.
 */
describe("MLP training step: compile vs evaluate", () => {
  const variants = [
    ["sgd", "js", true],
    ["sgd", "auto", true],
    ["adam", "js", true],
    ["adam", "auto", true],
    ["adam", "auto", false],
  ] as const;
  for (const [optimizer, backend, optimize] of variants) {
    it(`${optimizer}, ${backend}${optimize ? "" : ", unoptimized"}: loss and every updated param and state slot over 4 steps`, () => {
      const { spec } = mlpStep({ sizes: [37, 19, 13, 5], optimizer, seed: 3 });
      const sizes = { batch: 9 };
      const step = compile({ ...spec, sizes }, { backend, optimize });
      const random = rng(11);
      const targets = spec.updates!.map(([t]) => t);
      const nameOf = (t: AnyTensor) => (t.params as { name: string }).name;
      for (let s = 0; s < 4; s++) {
        const x = randomF32(9 * 37, random);
        const y = randomLabels(9, 5, random);
        const state = Object.fromEntries(targets.map((t) => [nameOf(t), step.read(nameOf(t))]));
        const expected = evaluate([spec.outputs.loss, ...spec.updates!.map(([, v]) => v)], { x, y, ...state }, sizes);
        const loss = step.run({ x, y }).loss[0];
        expectClose([loss], expected[0], `step ${s} loss`);
        targets.forEach((t, i) => {
          expectClose(step.read(nameOf(t)), expected[i + 1], `step ${s} ${nameOf(t)}`);
        });
      }
    });
  }

  it("training lowers the loss on a fixed batch", () => {
    const { spec } = mlpStep({ sizes: [20, 16, 4], optimizer: "adam", lr: 0.01 });
    const step = compile({ ...spec, sizes: { batch: 32 } });
    const random = rng(5);
    const x = randomF32(32 * 20, random);
    const y = randomLabels(32, 4, random);
    const first = step.run({ x, y }).loss[0];
    let last = first;
    for (let i = 0; i < 100; i++) last = step.run({ x, y }).loss[0];
    expect(last).toBeLessThan(first * 0.5);
  });
});
