/**
 * Times compiled MLP training steps (not a test): compile time (grad + optimize +
 * codegen) and the median ms per step, wall and CPU time of this process (the CPU
 * figure is what a shared, loaded machine distorts least).
 *
 *   cd packages/codegen && npx tsx --conditions=source src/bench/mlp-step.ts [js|wasm|auto]
 */
import { compile } from "../index.ts";
import type { Backend } from "../spec.ts";
import { mlpStep, randomF32, randomLabels, rng } from "../testing/mlp.ts";

const backend = (process.argv[2] ?? "auto") as Backend;
const configs = [
  { name: "784-256-128-10 b128 SGD", sizes: [784, 256, 128, 10], batch: 128, optimizer: "sgd" as const },
  { name: "784-256-128-10 b128 Adam", sizes: [784, 256, 128, 10], batch: 128, optimizer: "adam" as const },
  { name: "784-256-128-10 b1000 Adam", sizes: [784, 256, 128, 10], batch: 1000, optimizer: "adam" as const },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const c of configs) {
  const t0 = performance.now();
  const { spec } = mlpStep({ sizes: c.sizes, optimizer: c.optimizer });
  const step = compile({ ...spec, sizes: { batch: c.batch } }, { backend });
  const compileMs = performance.now() - t0;
  const random = rng(7);
  const x = randomF32(c.batch * c.sizes[0], random);
  const y = randomLabels(c.batch, c.sizes[c.sizes.length - 1], random);
  const t1 = performance.now();
  step.run({ x, y });
  const firstMs = performance.now() - t1;
  for (let i = 0; i < 10; i++) step.run({ x, y });
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 40; i++) {
    const s = performance.now();
    const c = process.cpuUsage();
    step.run({ x, y });
    const used = process.cpuUsage(c);
    times.push(performance.now() - s);
    cpu.push((used.user + used.system) / 1000);
  }
  const loss = step.run({ x, y }).loss[0];
  console.log(
    `${c.name} [${backend}]: compile ${compileMs.toFixed(1)} ms, first step ${firstMs.toFixed(1)} ms, median ` +
      `${median(times).toFixed(2)} ms/step wall, ${median(cpu).toFixed(2)} ms CPU, ` +
      `${step.stats.kernels} kernels, arena ${(step.arenaBytes / 1e6).toFixed(2)} MB, loss ${loss.toFixed(4)}`,
  );
}
