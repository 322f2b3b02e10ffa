import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import { emit, emitModule } from "./emit.ts";
import { runInTempFolder } from "./testing/child.ts";
import { mlpStep, randomF32, randomLabels, rng } from "./testing/mlp.ts";

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
