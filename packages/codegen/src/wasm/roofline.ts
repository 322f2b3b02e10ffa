import { buildPeakKernel } from "./bench/peak.ts";
import { timeCall, warmUp } from "./bench/timing.ts";
import { wasmFeatures } from "./features.ts";
import { buildMatmulKernels } from "./matmul-kernels.ts";
import type { MatmulSpec } from "./matmul-spec.ts";
import { place, seededRandom } from "./matmul-test-harness.ts";
import { wasm } from "./wasm-api.ts";

export interface RooflineReport {
  /** The f32x4 mul+add peak loop, GFLOP/s per CPU-second. */
  readonly peakGflops: number;
  /** Same with relaxed_madd, where the engine validates it. */
  readonly peakFmaGflops?: number;
  /** fractionOfPeak is against the FMA peak when the kernels use relaxed_madd. */
  readonly kernels: ReadonlyArray<{ readonly name: string; readonly gflops: number; readonly fractionOfPeak: number }>;
}

/**
 * The roofline line for apps/bench: GFLOP/s of the Wasm matmul kernel (packed B
 * panels, one thread) at the given shapes, against the peak loop. Figures are per
 * CPU-second of this process, so a loaded machine distorts them little. Takes about
 * `0.3 s × (shapes + 1)`.
 */
export function measureRoofline(shapes: readonly MatmulSpec[]): RooflineReport {
  const peakOf = (fma: boolean) => {
    const peak = buildPeakKernel(fma);
    const run = () => peak.run(50_000);
    warmUp(run);
    return (peak.flopsPerIteration * 50_000) / (timeCall(run, 15).cpuMedian * 1e6);
  };
  const peakGflops = peakOf(false);
  const peakFmaGflops = wasmFeatures().relaxedSimd ? peakOf(true) : undefined;

  const plain = buildMatmulKernels(shapes);
  const end = Math.max(...plain.specs.map((s) => place(s, 64).end));
  const scratchOffset = Math.ceil(end / 64) * 64;
  const built = buildMatmulKernels(shapes, { scratchOffset });
  const memory = new wasm.Memory({ initial: Math.ceil((scratchOffset + built.scratchBytes + 64) / 65536) });
  const f32 = new Float32Array(memory.buffer);
  const random = seededRandom(1);
  for (let x = 0; x < scratchOffset / 4; x++) f32[x] = random();
  const kernels = built.instantiate(memory);
  // Compare with the peak of the instruction mix the kernels actually use.
  const reference = built.tuning.fma && peakFmaGflops !== undefined ? peakFmaGflops : peakGflops;
  return {
    peakGflops,
    peakFmaGflops,
    kernels: built.specs.map((s) => {
      const at = place(s, 64);
      const run = () => kernels[s.name](at.a, at.b, at.c, at.bias);
      warmUp(run);
      const gflops = (2 * s.m * s.k * s.n) / (timeCall(run, 15).cpuMedian * 1e6);
      return { name: s.name, gflops, fractionOfPeak: gflops / reference };
    }),
  };
}
