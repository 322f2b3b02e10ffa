/**
 * GFLOP/s of the generated Wasm matmul kernels at the MLP's shapes, against a
 * naive JS triple loop and a peak f32x4 multiply-add loop, and the two-core pool's
 * speed-up. A script, not a test:
 *
 *   cd packages/codegen && npx tsx --conditions=source src/wasm/bench/matmul-gflops.ts [--no-naive] [--sweep]
 *   node --experimental-wasm-relaxed-simd --import tsx src/wasm/bench/matmul-gflops.ts   # FMA path
 *
 * The machine may be shared: single-thread figures are per CPU-second of this
 * process (immune to time slices given to others); the pool's figures are wall
 * time, interleaved with the one-thread kernel so both see the same load.
 */
import { buildMatmulKernels, type BuildMatmulOptions } from "../matmul-kernels.ts";
import type { MatmulSpec } from "../matmul-spec.ts";
import { createMatmulPool } from "../matmul-pool.ts";
import { place, seededRandom } from "../matmul-test-harness.ts";
import { wasm, type WasmMemory } from "../wasm-api.ts";
import { wasmFeatures } from "../features.ts";
import { buildPeakKernel } from "./peak.ts";
import { naiveMatmul } from "./naive-matmul.ts";
import { timeCall, warmUp, type CallTiming } from "./timing.ts";
import { benchShapes } from "./shapes.ts";

const gflops = (s: MatmulSpec, ms: number) => (2 * s.m * s.k * s.n) / (ms * 1e6);

function randomMemory(bytes: number, shared: boolean): WasmMemory {
  const pages = Math.ceil(bytes / 65536);
  const memory = new wasm.Memory(shared ? { initial: pages, maximum: pages, shared } : { initial: pages });
  const f32 = new Float32Array(memory.buffer);
  const random = seededRandom(1);
  for (let x = 0; x < f32.length; x++) f32[x] = random();
  return memory;
}

/** Bytes for every spec's operands from offset 64, rounded up to a page; scratch follows. */
function operandBytes(specs: MatmulSpec[]): number {
  const end = Math.max(...buildMatmulKernels(specs).specs.map((s) => place(s, 64).end));
  return Math.ceil((end + 1024) / 65536) * 65536;
}
/** Scratch for `threads` calls at once: each packs its own panels of B (and, for tn, tiles of A). */
const scratchBytes = (specs: MatmulSpec[], threads: number) => threads * buildMatmulKernels(specs, { scratchOffset: 0 }).scratchBytes;

function measureWasm(specs: MatmulSpec[], options: BuildMatmulOptions, pack = true): CallTiming[] {
  const scratchOffset = operandBytes(specs);
  const built = buildMatmulKernels(specs, pack ? { ...options, scratchOffset } : options);
  const memory = randomMemory(scratchOffset + scratchBytes(specs, 1), false);
  const kernels = built.instantiate(memory);
  return built.specs.map((s) => {
    const at = place(s, 64);
    const run = () => kernels[s.name](at.a, at.b, at.c, at.bias);
    warmUp(run);
    return timeCall(run);
  });
}

function measureNaive(specs: MatmulSpec[]): CallTiming[] {
  return buildMatmulKernels(specs).specs.map((s) => {
    const a = new Float32Array(s.m * s.k).map(seededRandom(2));
    const b = new Float32Array(s.k * s.n).map(seededRandom(3));
    const c = new Float32Array(s.m * s.n);
    const run = () => naiveMatmul(s, a, b, c);
    warmUp(run, 300);
    return timeCall(run, 5, 50);
  });
}

function peakGflops(fma: boolean): number {
  const peak = buildPeakKernel(fma);
  const iterations = 50_000;
  const run = () => peak.run(iterations);
  warmUp(run);
  return (peak.flopsPerIteration * iterations) / (timeCall(run).cpuMedian * 1e6);
}

async function measurePool(specs: MatmulSpec[]): Promise<Array<{ one: number; two: number; identical: boolean }>> {
  const scratchOffset = operandBytes(specs);
  const memory = randomMemory(scratchOffset + scratchBytes(specs, 2), true);
  const pool = await createMatmulPool(specs, memory, { workers: 1, scratchOffset, adaptive: false });
  const f32 = new Float32Array(memory.buffer);
  const out = [];
  for (const s of pool.specs) {
    const at = place(s, 64);
    const c = [at.c / 4, at.c / 4 + s.m * s.ldc] as const;
    const one = () => pool.single[s.name](at.a, at.b, at.c, at.bias);
    const two = () => pool.kernels[s.name](at.a, at.b, at.c, at.bias);
    one();
    const expected = f32.slice(...c);
    f32.fill(0, ...c);
    two();
    const identical = f32.slice(...c).every((x, i) => Object.is(x, expected[i]));
    warmUp(one, 50);
    warmUp(two, 50);
    // Interleave A B A B … so both see the same background load; median of medians.
    const ones: number[] = [],
      twos: number[] = [];
    for (let round = 0; round < 5; round++) {
      ones.push(timeCall(one, 5).median);
      twos.push(timeCall(two, 5).median);
    }
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    out.push({ one: median(ones), two: median(twos), identical });
  }
  await pool.close();
  return out;
}

async function main() {
  const args = new Set(process.argv.slice(2));
  const features = wasmFeatures();
  console.log(`# Wasm matmul GFLOP/s (Node ${process.version}, relaxed SIMD ${features.relaxedSimd ? "on" : "off"})\n`);
  console.log(
    `peak f32x4 mul+add loop: ${peakGflops(false).toFixed(1)} GFLOP/s per CPU-second${features.relaxedSimd ? `; with relaxed_madd: ${peakGflops(true).toFixed(1)}` : ""}`,
  );

  const wasmTimes = measureWasm(benchShapes, {});
  const unpackedTimes = measureWasm(benchShapes, {}, false);
  const naiveTimes = args.has("--no-naive") ? undefined : measureNaive(benchShapes);
  const pool = await measurePool(benchShapes);
  console.log(
    "\n| kernel | variant | M×K×N | Wasm GFLOP/s (CPU) | unpacked B | Wasm ms (wall median) | naive JS GFLOP/s " +
      "(CPU) | Wasm/naive | 1 thread ms | 2 threads ms | speed-up | identical |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  benchShapes.forEach((s, i) => {
    const w = wasmTimes[i];
    const naive = naiveTimes ? gflops(s, naiveTimes[i].cpuMedian).toFixed(2) : "–";
    const ratio = naiveTimes ? `${(naiveTimes[i].cpuMedian / w.cpuMedian).toFixed(0)}×` : "–";
    const p = pool[i];
    console.log(
      `| ${s.name} | ${s.variant} | ${s.m}×${s.k}×${s.n} | ${gflops(s, w.cpuMedian).toFixed(1)} | ${gflops(s, unpackedTimes[i].cpuMedian).toFixed(1)} | ${w.median.toFixed(2)} | ${naive} | ${ratio} | ` +
        `${p.one.toFixed(2)} | ${p.two.toFixed(2)} | ${(p.one / p.two).toFixed(2)}× | ${p.identical ? "yes" : "NO"} |`,
    );
  });

  if (args.has("--sweep")) {
    console.log("\n## tunings (GFLOP/s per CPU-second)\n");
    const tunings = [
      {},
      { kBlock: 0 },
      { kBlock: 128 },
      { rowBlock: 0 },
      { rowBlock: 128 },
      { rows: 2, vectors: 4, ntRows: 4, ntCols: 2 },
      { rows: 3, vectors: 3, ntRows: 3, ntCols: 3 },
      { order: "rows" as const },
    ];
    for (const tuning of tunings) {
      const times = measureWasm(benchShapes, { tuning });
      console.log(`${JSON.stringify(tuning)}: ${benchShapes.map((s, i) => `${s.name} ${gflops(s, times[i].cpuMedian).toFixed(1)}`).join(", ")}`);
    }
  }
}

await main();
