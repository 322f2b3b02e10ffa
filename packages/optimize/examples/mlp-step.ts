/**
 * Optimizes the MLP 784-256-128-10 SGD training step and prints explain()'s summary
 * (node, kernel and byte counts, phases, the fused kernels, rules fired). Run from the repo root:
 *   npx tsx --conditions=source packages/optimize/examples/mlp-step.ts [--rewrites]
 */
import { optimize } from "@gradfold/optimize";
import { mlpTrainingStep } from "../test/mlp.ts";

const { program } = mlpTrainingStep([784, 256, 128, 10]);
const started = performance.now();
const result = optimize(program, { sizes: { batch: 128 } });
const ms = performance.now() - started;
const text = result.explain().text;
console.log(process.argv.includes("--rewrites") ? text : text.slice(0, text.indexOf("rewrites:")));
console.log(`optimize() took ${ms.toFixed(0)} ms`);
