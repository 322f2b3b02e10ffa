/**
 * GFLOP/s of the generated Wasm matmul kernels at the MLP's shapes, against a
 * naive JS triple loop and a peak f32x4 multiply-add loop. A script, not a test:
 *
 *   cd packages/codegen && npx tsx --conditions=source src/wasm/bench/matmul-gflops.ts [--sweep] [--no-naive]
 *
 * (add `node --experimental-wasm-relaxed-simd --import tsx` to try the FMA path).
 */
import { buildMatmulKernels, type BuildMatmulOptions } from "../matmul-kernels.ts";
import type { MatmulSpec } from "../matmul-spec.ts";
import { place, seededRandom } from "../matmul-test-harness.ts";
import { wasm } from "../wasm-api.ts";
import { wasmFeatures } from "../features.ts";
import { buildPeakKernel } from "./peak.ts";
import { naiveMatmul } from "./naive-matmul.ts";
import { medianMs, warmUp } from "./timing.ts";
import { benchShapes } from "./shapes.ts";

const gflops = (s: MatmulSpec, ms: number) => (2 * s.m * s.k * s.n) / (ms * 1e6);

function measureWasm(specs: MatmulSpec[], options: BuildMatmulOptions): number[] {
  const built = buildMatmulKernels(specs, options);
  const bytes = Math.max(...built.specs.map((s) => place(s, 64).end)) + 1024;
  const memory = new wasm.Memory({ initial: Math.ceil(bytes / 65536) });
  const f32 = new Float32Array(memory.buffer);
  const random = seededRandom(1);
  for (let x = 0; x < f32.length; x++) f32[x] = random();
  const kernels = built.instantiate(memory);
  return built.specs.map((s) => {
    const at = place(s, 64);
    const run = () => kernels[s.name](at.a, at.b, at.c, at.bias);
    warmUp(run);
    return medianMs(run);
  });
}

function measureNaive(specs: MatmulSpec[]): number[] {
  const built = buildMatmulKernels(specs);
  return built.specs.map((s) => {
    const a = new Float32Array(s.m * s.k).map(seededRandom(2));
    const b = new Float32Array(s.k * s.n).map(seededRandom(3));
    const c = new Float32Array(s.m * s.n);
    const run = () => naiveMatmul(s, a, b, c);
    warmUp(run, 300);
    return medianMs(run, 5, 50);
  });
}

function peakGflops(fma: boolean): number {
  const peak = buildPeakKernel(fma);
  const iterations = 200_000;
  warmUp(() => peak.run(iterations));
  return (peak.flopsPerIteration * iterations) / (medianMs(() => peak.run(iterations)) * 1e6);
}

function main() {
  const args = new Set(process.argv.slice(2));
  const features = wasmFeatures();
  console.log(`# Wasm matmul GFLOP/s (Node ${process.version}, relaxed SIMD ${features.relaxedSimd ? "on" : "off"})\n`);
  console.log(`peak f32x4 mul+add loop: ${peakGflops(false).toFixed(1)} GFLOP/s` +
    (features.relaxedSimd ? `; with relaxed_madd: ${peakGflops(true).toFixed(1)} GFLOP/s` : ""));

  const wasmMs = measureWasm(benchShapes, {});
  const naiveMs = args.has("--no-naive") ? undefined : measureNaive(benchShapes);
  console.log("\n| kernel | variant | M×K×N | Wasm ms | Wasm GFLOP/s | naive JS GFLOP/s | speed-up |");
  console.log("|---|---|---|---|---|---|---|");
  benchShapes.forEach((s, i) => {
    const naive = naiveMs ? gflops(s, naiveMs[i]).toFixed(2) : "–";
    const ratio = naiveMs ? `${(naiveMs[i] / wasmMs[i]).toFixed(1)}×` : "–";
    console.log(`| ${s.name} | ${s.variant} | ${s.m}×${s.k}×${s.n} | ${wasmMs[i].toFixed(3)} | ${gflops(s, wasmMs[i]).toFixed(1)} | ${naive} | ${ratio} |`);
  });

  if (args.has("--sweep")) {
    console.log("\n## register tiles (GFLOP/s per shape)\n");
    const tiles = [
      { rows: 4, vectors: 2, ntRows: 2, ntCols: 4 },
      { rows: 3, vectors: 3, ntRows: 3, ntCols: 3 },
      { rows: 2, vectors: 4, ntRows: 4, ntCols: 2 },
    ];
    for (const order of ["columns", "rows"] as const) {
      for (const tile of tiles) {
        const ms = measureWasm(benchShapes, { tuning: { ...tile, order } });
        console.log(`${JSON.stringify({ ...tile, order })}: ${benchShapes.map((s, i) => `${s.name} ${gflops(s, ms[i]).toFixed(1)}`).join(", ")}`);
      }
    }
  }
}

main();
