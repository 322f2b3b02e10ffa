/**
 * The threaded step against one thread, per MLP config (not a test): compile() (1t),
 * compileThreaded as users get it (adaptive: each split and the whole step chosen by
 * measurement) and with every split forced (adaptive: false), timed steps interleaved
 * so machine noise falls on all alike; medians, and each threaded one / 1t.
 *
 *   cd packages/codegen && npx tsx --conditions=source src/bench/threaded-step.ts [steps] [threads]
 */
import { availableParallelism } from "node:os";
import { compile } from "../index.ts";
import { compileThreaded } from "../node.ts";
import { mlpStep, randomF32, randomLabels, rng } from "../testing/mlp.ts";

const steps = Number(process.argv[2] ?? 60);
const threads = Number(process.argv[3] ?? availableParallelism());
const configs = [
  { name: "784-256-128-10 b128 SGD", sizes: [784, 256, 128, 10], batch: 128, optimizer: "sgd" as const },
  { name: "784-256-128-10 b128 Adam", sizes: [784, 256, 128, 10], batch: 128, optimizer: "adam" as const },
  { name: "784-256-128-10 b1000 SGD", sizes: [784, 256, 128, 10], batch: 1000, optimizer: "sgd" as const },
  { name: "784-256-128-10 b1000 Adam", sizes: [784, 256, 128, 10], batch: 1000, optimizer: "adam" as const },
  { name: "784-1024-1024-10 b256 Adam", sizes: [784, 1024, 1024, 10], batch: 256, optimizer: "adam" as const },
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(
  `# threaded step vs one thread: ${threads} threads, ${steps} timed steps each, interleaved; load ${(await import("node:os"))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log("| config | 1t ms | threads (adaptive) ms | / 1t | threads (forced) ms | / 1t | split kernels | step on threads |");
console.log("|---|--:|--:|--:|--:|--:|--:|---|");
for (const c of configs) {
  const { spec } = mlpStep({ sizes: c.sizes, optimizer: c.optimizer });
  const full = { ...spec, sizes: { batch: c.batch } };
  const one = compile(full);
  const adaptive = await compileThreaded(full, { threads });
  const forced = await compileThreaded(full, { threads, adaptive: false });
  const random = rng(7);
  const feeds = { x: randomF32(c.batch * c.sizes[0], random), y: randomLabels(c.batch, c.sizes[c.sizes.length - 1], random) };
  const runs = [one, adaptive, forced].map((step) => ({ step, times: [] as number[] }));
  // Warm-up past the adaptive choices (the whole step decides after ~18 runs).
  for (const r of runs) for (let i = 0; i < 30; i++) r.step.run(feeds);
  for (let i = 0; i < steps; i++) {
    for (let j = 0; j < runs.length; j++) {
      const r = runs[(i + j) % runs.length];
      const t0 = performance.now();
      r.step.run(feeds);
      r.times.push(performance.now() - t0);
    }
  }
  const [t1, ta, tf] = runs.map((r) => median(r.times));
  console.log(
    `| ${c.name} | ${t1.toFixed(2)} | ${ta.toFixed(2)} | ${(ta / t1).toFixed(2)} | ${tf.toFixed(2)} | ${(tf / t1).toFixed(2)} | ` +
      `${forced.splitKernels.length} | ${adaptive.usingThreads() ? "yes" : "no"} |`,
  );
  await adaptive.close();
  await forced.close();
}
