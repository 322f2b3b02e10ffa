import { describe, expect, it } from "vitest";
import { emit } from "./emit.ts";
import { runInTempFolder } from "./testing/child.ts";
import { mlpStep } from "./testing/mlp.ts";

/**
 * No allocation per step: 2,000 steps of an Adam MLP step in a child process with
 * --expose-gc; heapUsed after a full GC before and after must stay flat. The module
 * is emit()'s, whose step body is the very source compile() runs.
 */
describe("no allocation per step", () => {
  for (const backend of ["js", "auto"] as const) {
    it(`heap stays flat over 2,000 steps (${backend})`, () => {
      const { spec } = mlpStep({ sizes: [16, 12, 4], optimizer: "adam" });
      const source = emit({ ...spec, sizes: { batch: 8 } }, { backend });
      const main = `
import createStep from "./step.mjs";
const step = createStep();
const x = new Float32Array(8 * 16).map((_, i) => Math.sin(i));
const y = new Int32Array(8).map((_, i) => i % 4);
const feeds = { x, y };
// Warm up until the JIT has settled (tier-up metadata is heap too, and is not per step).
for (let i = 0; i < 5000; i++) step.run(feeds);
// Three windows of 2,000 steps; the smallest growth counts. A per-step allocation grows every
// window; late JIT work on a busy machine (background compiles finishing) grows only one.
const growths = [];
for (let w = 0; w < 3; w++) {
  globalThis.gc(); globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 2000; i++) step.run(feeds);
  globalThis.gc(); globalThis.gc();
  growths.push(process.memoryUsage().heapUsed - before);
}
console.log(JSON.stringify({ growth: Math.min(...growths), loss: step.run(feeds).loss[0] }));
`;
      const result = JSON.parse(runInTempFolder({ "step.mjs": source, "main.mjs": main }, "main.mjs", ["--expose-gc"]));
      expect(Number.isFinite(result.loss)).toBe(true);
      // Even 8 bytes kept per step would be 16 kB; allow GC noise well below that.
      expect(result.growth).toBeLessThan(16_000);
    });
  }
});
