import { softmax } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import { emit, emitModule } from "./emit.ts";
import { runInTempFolder } from "./testing/child.ts";
import { logitsOf, mlpStep, randomF32, randomLabels, rng } from "./testing/mlp.ts";

const STEPS = 3;

/** Batches as JSON, and a runner that trains with the emitted module and prints losses and params. */
function runner(batches: Array<{ x: number[]; y: number[] }>, createArgs: string): string {
  return `
import { readFileSync } from "node:fs";
import createStep from "./step.mjs";
const batches = ${JSON.stringify(batches)};
const step = createStep(${createArgs});
const losses = [];
for (const b of batches) losses.push(step.run({ x: Float32Array.from(b.x), y: Int32Array.from(b.y) }).loss[0]);
const params = Object.fromEntries(step.names().map((n) => [n, Array.from(step.read(n))]));
console.log(JSON.stringify({ losses, params }));
`;
}

describe("emit(): a standalone module run with plain node in a temp folder", () => {
  const { spec } = mlpStep({ sizes: [11, 7, 3], optimizer: "adam", seed: 4 });
  const sizes = { batch: 5 };
  const random = rng(8);
  const batches = Array.from({ length: STEPS }, () => ({ x: Array.from(randomF32(55, random)), y: Array.from(randomLabels(5, 3, random)) }));

  function expectedRun(backend: "js" | "auto") {
    const step = compile({ ...spec, sizes }, { backend });
    const losses = batches.map((b) => step.run({ x: Float32Array.from(b.x), y: Int32Array.from(b.y) }).loss[0]);
    const params = Object.fromEntries(step.names().map((n) => [n, Array.from(step.read(n))]));
    return { losses, params };
  }

  for (const backend of ["js", "auto"] as const) {
    it(`weights embedded (${backend}): same losses and params as compile(), bit for bit`, () => {
      const source = emit({ ...spec, sizes }, { backend });
      expect(source).not.toMatch(/^\s*import\s/m);
      expect(source).toContain("export default function createStep");
      const result = JSON.parse(runInTempFolder({ "step.mjs": source, "main.mjs": runner(batches, "") }, "main.mjs"));
      expect(result).toEqual(expectedRun(backend));
    });
  }

  it("weights in a sidecar file", () => {
    const { source, weights } = emitModule({ ...spec, sizes }, { weights: "sidecar" });
    expect(weights).toBeInstanceOf(Uint8Array);
    expect(source).toContain("const IMAGE_RUNS = null;");
    const result = JSON.parse(runInTempFolder({ "step.mjs": source, "weights.bin": weights!, "main.mjs": runner(batches, 'readFileSync("./weights.bin")') }, "main.mjs"));
    expect(result).toEqual(expectedRun("auto"));
    const missing = runInTempFolder(
      { "step.mjs": source, "main.mjs": 'import createStep from "./step.mjs"; try { createStep(); } catch (e) { console.log(e.message); }' },
      "main.mjs",
    );
    expect(missing).toMatch(/sidecar file; pass its \d+ bytes/);
  });
});

describe("emit() of a model: entries over one set of params", () => {
  const { spec, x, loss } = mlpStep({ sizes: [11, 7, 3], optimizer: "adam", seed: 6 });
  const model = { entries: { train: spec, predict: { inputs: [x], outputs: { probs: softmax(logitsOf(loss), -1) } } }, sizes: { batch: 5 } };
  const random = rng(9);
  const batches = Array.from({ length: STEPS }, () => ({ x: Array.from(randomF32(55, random)), y: Array.from(randomLabels(5, 3, random)) }));
  const main = `
import createStep from "./model.mjs";
const batches = ${JSON.stringify(batches)};
const model = createStep();
const out = { entries: model.entries(), sizes: model.sizes(), losses: [], probs: [] };
for (const b of batches) {
  out.losses.push(model.run("train", { x: Float32Array.from(b.x), y: Int32Array.from(b.y) }, { batch: 5 }).loss[0]);
  out.probs.push(Array.from(model.run("predict", { x: Float32Array.from(b.x) }).probs));
}
out.params = Object.fromEntries(model.names().map((n) => [n, Array.from(model.read(n))]));
try { model.run("predict", { x: new Float32Array(11) }, { batch: 1 }); } catch (e) { out.error = e.message; }
console.log(JSON.stringify(out));
`;

  it("trains and predicts as compile()'s model, bit for bit; per-call sizes are a clear error", () => {
    const source = emit(model);
    expect(source).not.toMatch(/^\s*import\s/m);
    const got = JSON.parse(runInTempFolder({ "model.mjs": source, "main.mjs": main }, "main.mjs"));
    const compiled = compile(model);
    const losses: number[] = [];
    const probs: number[][] = [];
    for (const b of batches) {
      losses.push(compiled.run("train", { x: Float32Array.from(b.x), y: Int32Array.from(b.y) }).loss[0]);
      probs.push(Array.from(compiled.run("predict", { x: Float32Array.from(b.x) }).probs));
    }
    const params = Object.fromEntries(compiled.names().map((n) => [n, Array.from(compiled.read(n))]));
    expect(got).toEqual({
      entries: ["train", "predict"],
      sizes: { batch: 5 },
      losses,
      probs,
      params,
      error: expect.stringMatching(/^run: per-call sizes are not supported in an emitted module: it was compiled for \{"batch":5\}, got \{"batch":1\}; .*compile\(\)/),
    });
  });
});
