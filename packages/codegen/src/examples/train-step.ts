/**
 * The README's example, runnable:
 *   cd packages/codegen && npx tsx --conditions=source src/examples/train-step.ts
 */
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grad, input, mean, param, softmaxCrossEntropy } from "@gradfold/graph";
import { compile, emit } from "@gradfold/codegen";

const x = input("x", ["batch", 4]);
const y = input("y", ["batch"], "int32");
const W = param("W", [4, 3], { init: [0.1, -0.2, 0.3, 0.0, 0.5, -0.1, 0.2, 0.2, -0.3, 0.4, 0.1, 0.0] });
const b = param("b", [3]);
const loss = mean(softmaxCrossEntropy(x.matmul(W).add(b), y));
const [gW, gb] = grad(loss, [W, b]);
const lr = 0.5;
const spec = {
  inputs: [x, y],
  outputs: { loss },
  updates: [
    [W, W.sub(gW.mul(lr))],
    [b, b.sub(gb.mul(lr))],
  ] as const,
  sizes: { batch: 2 },
};

const step = compile(spec); // optimize + Wasm/JS kernels, in process
const feeds = { x: Float32Array.of(1, 0, 0, 1, 0, 1, 1, 0), y: Int32Array.of(2, 0) };
for (let i = 0; i < 5; i++) console.log(`step ${i}: loss ${step.run(feeds).loss[0].toFixed(4)}`);
console.log("b after 5 steps:", step.read("b"));
console.log(step.kernels.map((k) => `${k.name}: ${k.fuses.join(", ")}`).join("\n"));

// The same step as a standalone ES module with no imports.
const dir = mkdtempSync(join(tmpdir(), "gradfold-example-"));
writeFileSync(join(dir, "step.mjs"), emit(spec));
console.log(`wrote ${join(dir, "step.mjs")}: import createStep from it and call createStep().run(feeds)`);
