import { compileModel } from "@gradfold/train";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../config.ts";
import { chooseBackend } from "./backends.ts";
import { makeOptimizer } from "./optimizer-choice.ts";
import { buildPrograms, modelSpec } from "./program.ts";
import { referenceStep, stateNames } from "./step.ts";

const shape = { features: 3, outputs: 3, task: "classification" as const };
const configOf = (overrides: Partial<typeof defaultConfig> = {}) => ({
  ...defaultConfig,
  layers: [5],
  batchSize: 4,
  evalBatchSize: 4,
  l2: 0.01,
  l1: 0.001,
  seed: 2,
  ...overrides,
  loss: "cross-entropy" as const,
});
const modelOf = (backend: "compiled" | "reference", overrides: Partial<typeof defaultConfig> = {}) =>
  compileModel(modelSpec(configOf(overrides), shape, makeOptimizer(configOf(overrides), 10)), { compiler: chooseBackend(backend).compiler });

const x = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
const y = Int32Array.from([0, 2, 1, 2]);

describe("the run's model", () => {
  it("compiled (codegen) agrees with the float64 reference interpreter over several Adam steps, penalties included", () => {
    const compiled = modelOf("compiled");
    const reference = modelOf("reference");
    for (let s = 0; s < 3; s++) {
      const a = compiled.run("train", { x, y });
      const b = reference.run("train", { x, y });
      expect(a.loss[0]).toBeCloseTo(b.loss[0], 5);
      expect(a["gradNorm/dense1/W"][0]).toBeCloseTo(b["gradNorm/dense1/W"][0], 4);
      expect(a.accuracy[0]).toBe(b.accuracy[0]);
    }
    for (const name of compiled.names()) {
      const a = compiled.read(name);
      const b = reference.read(name);
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 4);
    }
  });

  it("the evaluate entry shares the params: its loss is the train entry's data loss at the same params (no penalty)", () => {
    const model = modelOf("reference");
    const evaluated = model.run("evaluate", { x, y }).loss[0];
    expect(model.run("train", { x, y }).loss[0]).toBeCloseTo(evaluated, 6);
    expect(model.entries.predict.params.map((p) => p.name)).toEqual(["dense1/W", "dense1/b", "dense2/W", "dense2/b"]);
  });

  it("weights come from nn's seeded initializers: the same seed, the same weights; another seed, others", () => {
    const a = modelOf("reference").read("dense1/W");
    expect(modelOf("reference").read("dense1/W")).toEqual(a);
    expect(modelOf("reference", { seed: 3 }).read("dense1/W")).not.toEqual(a);
  });
});

describe("the emitted trainer's programs", () => {
  it("dropout adds one 0/1 mask input per hidden layer, scaled in the graph: a mask of 1 − rate everywhere leaves the loss unchanged", () => {
    const config = configOf({ dropout: 0.5, l2: 0, l1: 0 });
    const p = buildPrograms(config, shape, makeOptimizer(config, 10));
    expect(p.dropoutMasks).toEqual([{ name: "dropout/mask", width: 5 }]);
    expect(p.paramNames).toEqual(["dense1/W", "dense1/b", "dense2/W", "dense2/b"]);
    const withOnes = referenceStep({ ...p.train, sizes: { batch: 4 } }).run({ x, y, "dropout/mask": new Float32Array(20).fill(0.5) }).loss[0];
    const plainConfig = configOf({ l2: 0, l1: 0 });
    const plain = referenceStep({ ...buildPrograms(plainConfig, shape, makeOptimizer(plainConfig, 10)).train, sizes: { batch: 4 } }).run({ x, y }).loss[0];
    expect(withOnes).toBeCloseTo(plain, 6);
    expect(stateNames({ ...p.train, sizes: { batch: 4 } })).toEqual(expect.arrayContaining([...p.paramNames]));
  });
});
