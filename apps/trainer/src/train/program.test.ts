import { describe, expect, it } from "vitest";
import { defaultConfig } from "../config.ts";
import { Rng } from "../rng.ts";
import { chooseBackend } from "./backends.ts";
import { makeOptimizer } from "./optimizer-choice.ts";
import { buildPrograms } from "./program.ts";
import { referenceStep, stateNames } from "./step.ts";

function programs(overrides: Partial<typeof defaultConfig> = {}) {
  const config = { ...defaultConfig, layers: [5], batchSize: 4, evalBatchSize: 4, l2: 0.01, l1: 0.001, ...overrides };
  return buildPrograms({ ...config, loss: "cross-entropy" }, { features: 3, outputs: 3, task: "classification" }, makeOptimizer(config, 10), new Rng(2));
}

const x = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
const y = Int32Array.from([0, 2, 1, 2]);

describe("training programs", () => {
  it("the compiled step (codegen) agrees with the float64 reference interpreter over several Adam steps", () => {
    const p = programs();
    const compiled = chooseBackend("compiled").makeStep(p.train);
    const reference = referenceStep(p.train);
    for (let s = 0; s < 3; s++) {
      const a = compiled.run({ x, y });
      const b = reference.run({ x, y });
      expect(a.loss[0]).toBeCloseTo(b.loss[0], 5);
      expect(a["gradNorm/dense1/W"][0]).toBeCloseTo(b["gradNorm/dense1/W"][0], 4);
    }
    for (const name of stateNames(p.train)) {
      const a = compiled.read(name);
      const b = reference.read(name);
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 4);
    }
  });

  it("the evaluation program shares the params and gives per-example losses: mean equals the training loss at the same params", () => {
    const p = programs({ l2: 0, l1: 0 });
    const train = referenceStep(p.train);
    const evaluation = referenceStep(p.eval);
    const perExample = evaluation.run({ x, y }).losses;
    expect(perExample).toHaveLength(4);
    const mean = perExample.reduce((s, v) => s + v, 0) / 4;
    expect(train.run({ x, y }).loss[0]).toBeCloseTo(mean, 6);
    expect(p.paramNames).toEqual(["dense1/W", "dense1/b", "dense2/W", "dense2/b"]);
  });

  it("dropout adds one mask input per hidden layer, and a mask of ones leaves the loss unchanged", () => {
    const p = programs({ dropout: 0.5, l2: 0, l1: 0 });
    expect(p.dropoutMasks).toEqual([{ name: "dropout1", width: 5 }]);
    const withOnes = referenceStep(p.train).run({ x, y, dropout1: new Float32Array(20).fill(1) }).loss[0];
    const plain = referenceStep(programs({ l2: 0, l1: 0 }).train).run({ x, y }).loss[0];
    expect(withOnes).toBeCloseTo(plain, 6);
  });
});
