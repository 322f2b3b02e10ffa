/**
 * Per split kernel of one MLP step (not a test): its median time split across the
 * pool's threads and on the caller alone, alternating step by step (each kernel runs
 * once per step, so both see the same cache state), and split / one. Shows which
 * kernels pay for their hand-off and which do not.
 *
 *   cd packages/codegen && npx tsx --conditions=source src/bench/threaded-profile.ts [config] [steps]
 *   config: b128-sgd, b128-adam, b1000-sgd, b1000-adam, wide-adam (default b128-sgd)
 */
import { availableParallelism, loadavg } from "node:os";
import type { StepFactory } from "../compile.ts";
import { stepSource } from "../host/step-source.ts";
import { customCall } from "../js/custom.ts";
import { prepareStep } from "../prepare.ts";
import { mlpStep, randomF32, randomLabels, rng } from "../testing/mlp.ts";
import { createMatmulPool } from "../wasm/matmul-pool.ts";
import { wasm } from "../wasm/wasm-api.ts";

const configs: Record<string, { sizes: number[]; batch: number; optimizer: "sgd" | "adam" }> = {
  "b128-sgd": { sizes: [784, 256, 128, 10], batch: 128, optimizer: "sgd" },
  "b128-adam": { sizes: [784, 256, 128, 10], batch: 128, optimizer: "adam" },
  "b1000-sgd": { sizes: [784, 256, 128, 10], batch: 1000, optimizer: "sgd" },
  "b1000-adam": { sizes: [784, 256, 128, 10], batch: 1000, optimizer: "adam" },
  "wide-adam": { sizes: [784, 1024, 1024, 10], batch: 256, optimizer: "adam" },
};
const name = process.argv[2] ?? "b128-sgd";
const c = configs[name];
if (!c) throw new Error(`threaded-profile: unknown config ${JSON.stringify(name)}; one of ${Object.keys(configs).join(", ")}`);
const steps = Number(process.argv[3] ?? 200);
const threads = availableParallelism();

const { spec } = mlpStep({ sizes: c.sizes, optimizer: c.optimizer });
const prepared = prepareStep({ ...spec, sizes: { batch: c.batch } }, {}, "threaded-profile");
const generated = stepSource(prepared, "auto", { threads, shared: true, what: "threaded-profile" });
const pages = generated.memoryBytes / 65536;
const memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true });
const pool = await createMatmulPool(generated.matmulSpecs, memory, { workers: threads - 1, scratchOffset: generated.packOffset, adaptive: false, loops: generated.loopSplits });
const split: Record<string, (...args: number[]) => void> = { ...pool.kernels, ...pool.loops };
const single: Record<string, (...args: number[]) => void> = { ...pool.single, ...pool.singleLoops };
const times = new Map(pool.splitKernels.map((k) => [k, { split: [] as number[], single: [] as number[] }]));
let useSplit = true;
const timed: Record<string, (...args: number[]) => void> = {};
for (const k of pool.splitKernels) {
  timed[k] = (...args) => {
    const t0 = performance.now();
    (useSplit ? split : single)[k](...args);
    times.get(k)![useSplit ? "split" : "single"].push(performance.now() - t0);
  };
}
const factory = new Function("image", "wasmBytes", "customCalls", "options", generated.body) as StepFactory;
const step = factory(
  generated.image,
  generated.wasmBytes,
  generated.customNodes.map((n) => customCall(n, prepared.shapes)),
  { memory, matmuls: timed },
);
const random = rng(7);
const feeds = { x: randomF32(c.batch * c.sizes[0], random), y: randomLabels(c.batch, c.sizes[c.sizes.length - 1], random) };
for (let i = 0; i < 20; i++) step.run(feeds);
for (const t of times.values()) t.split.length = t.single.length = 0;
for (let i = 0; i < steps; i++) {
  useSplit = i % 2 === 0;
  // As compileThreaded's run(): workers woken at the step's start and polling through it.
  pool.stepping(useSplit);
  step.run(feeds);
  pool.stepping(false);
}
const workerChunks = pool.workerChunks();
await pool.close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const describe = (k: string) => {
  const mm = generated.matmulSpecs.find((s) => s.name === k);
  if (mm) return `matmul ${mm.variant} ${mm.m}×${mm.k}×${mm.n}`;
  const loop = generated.loopSplits.find((l) => l.name === k)!;
  return `loop, ${loop.chunks.length} chunks, ${loop.pointers} pointers`;
};
console.log(
  `# ${name}: per split kernel, ${threads} threads, ${steps / 2} calls each way; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log("| kernel | what | split µs | one thread µs | split / one |");
console.log("|---|---|--:|--:|--:|");
let [sumSplit, sumOne] = [0, 0];
for (const [k, t] of times) {
  const [s, o] = [median(t.split) * 1000, median(t.single) * 1000];
  sumSplit += s;
  sumOne += o;
  console.log(`| ${k} | ${describe(k)} | ${s.toFixed(1)} | ${o.toFixed(1)} | ${(s / o).toFixed(2)} |`);
}
console.log(`| all split kernels | | ${sumSplit.toFixed(1)} | ${sumOne.toFixed(1)} | ${(sumSplit / sumOne).toFixed(2)} |`);
console.log(`\nChunks the workers ran: ${workerChunks.join(", ")}`);
