/**
 * Times a compiled CNN training step (not a test): the bench config, conv
 * 5×5×32 "same" → relu → max pool 2 → conv 5×5×64 "same" → relu → max pool 2 →
 * dense 128 → relu → dense 10, mean softmax cross-entropy, SGD; median ms per step,
 * wall and CPU time of this process (the CPU figure is what a loaded machine
 * distorts least).
 *
 *   cd packages/codegen && npx tsx --conditions=source src/bench/cnn-step.ts [auto|js] [batch] [steps]
 */
import { compile } from "../index.ts";
import type { Backend } from "../spec.ts";
import { cnnStep } from "./cnn-graph.ts";

const backend = (process.argv[2] ?? "auto") as Backend;
const batch = Number(process.argv[3] ?? 128);
const steps = Number(process.argv[4] ?? 10);
const { spec, feeds } = cnnStep(batch);

const t0 = performance.now();
const step = compile(spec, { backend });
const compileMs = performance.now() - t0;
const first = step.run(feeds).loss[0];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const wall: number[] = [];
const cpu: number[] = [];
let last = first;
for (let i = 0; i < steps; i++) {
  const c = process.cpuUsage();
  const s = performance.now();
  last = step.run(feeds).loss[0];
  wall.push(performance.now() - s);
  const used = process.cpuUsage(c);
  cpu.push((used.user + used.system) / 1000);
}
console.log(
  `CNN b${batch} SGD [${backend}]: compile ${compileMs.toFixed(0)} ms, median ${median(wall).toFixed(1)} ms/step wall, ${median(cpu).toFixed(1)} ms CPU ` +
    `(${steps} steps), ${step.stats.kernels} kernels, loss ${first.toFixed(4)} → ${last.toFixed(4)} on one repeated batch`,
);
