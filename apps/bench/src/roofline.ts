import { input, matmulT } from "@gradfold/graph";
import { compile, type Backend } from "@gradfold/codegen";
import { jaxMatmulMs } from "./jax-matmul.ts";
import { jsScalarPeak, wasmSimdPeak } from "./peak.ts";
import { seededRandom } from "./problem.ts";
import { formatMs, markdownTable } from "./table.ts";

/** One matmul of the training steps: op(A)·op(B) with A, B as stored. */
export interface MatmulCase {
  readonly label: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

/** The shapes that dominate the benchmark steps: forward, dW = xᵀ·dz and dx = dz·Wᵀ. */
export const matmulCases: readonly MatmulCase[] = [
  { label: "x·W1, batch 1000 (784→256)", m: 1000, k: 784, n: 256, transA: false, transB: false },
  { label: "xᵀ·dz1, batch 1000 (dW1)", m: 784, k: 1000, n: 256, transA: true, transB: false },
  { label: "dz2·W2ᵀ, batch 1000 (dh1)", m: 1000, k: 128, n: 256, transA: false, transB: true },
  { label: "h·W2 wide, batch 256 (1024→1024)", m: 256, k: 1024, n: 1024, transA: false, transB: false },
];

export interface RooflineRow {
  readonly label: string;
  readonly backend: Backend;
  readonly ms: number | undefined;
  readonly gflops: number | undefined;
  readonly error?: string;
}

const flopsOf = (c: MatmulCase) => 2 * c.m * c.k * c.n;

function randomData(length: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = random() * 2 - 1;
  return out;
}

/**
 * Compiles op(A)·op(B) alone on one backend and times its run: the best of `reps`,
 * like the peak probes, since on a shared machine the least disturbed run is the
 * closest to what the kernel does.
 */
export async function measureMatmul(c: MatmulCase, backend: Backend, reps = 15): Promise<RooflineRow> {
  try {
    const a = input("a", c.transA ? [c.k, c.m] : [c.m, c.k]);
    const b = input("b", c.transB ? [c.n, c.k] : [c.k, c.n]);
    const step = compile({ inputs: [a, b], outputs: { c: matmulT(a, b, c.transA, c.transB) } }, { backend });
    const feeds = { a: randomData(c.m * c.k, 1), b: randomData(c.k * c.n, 2) };
    for (let i = 0; i < 3; i++) step.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      step.run(feeds);
      times.push(performance.now() - t0);
    }
    const ms = Math.min(...times);
    return { label: c.label, backend, ms, gflops: flopsOf(c) / (ms * 1e6) };
  } catch (e) {
    return { label: c.label, backend, ms: undefined, gflops: undefined, error: e instanceof Error ? e.message.split("\n")[0] : String(e) };
  }
}

/**
 * The roofline section: GFLOP/s of gradfold's matmul per backend and shape, and
 * the share of the matching single-thread peak (JS scalar for the js backend, Wasm
 * f32x4 mul+add for the wasm backend). Matmul at these sizes is compute-bound, so
 * the peak, not memory bandwidth, is the roof.
 */
export async function rooflineReport(log: (line: string) => void): Promise<string> {
  log("roofline: peak probes");
  const peaks: Record<"js" | "wasm", number> = { js: jsScalarPeak(), wasm: wasmSimdPeak() };
  const ofPeak = (gflops: number, roof: number) => `${((100 * gflops) / roof).toFixed(0)}%`;
  const rows: string[][] = [];
  const errors = new Set<string>();
  for (const c of matmulCases) {
    for (const backend of ["js", "wasm"] as const) {
      log(`roofline: ${c.label} on gradfold ${backend}`);
      const r = await measureMatmul(c, backend);
      if (r.error) errors.add(`gradfold ${backend}: ${r.error}`);
      rows.push([
        c.label,
        `gradfold ${backend}`,
        r.error ? "failed" : formatMs(r.ms),
        r.gflops === undefined ? "—" : r.gflops.toFixed(1),
        r.gflops === undefined ? "—" : ofPeak(r.gflops, peaks[backend]),
      ]);
    }
    try {
      log(`roofline: ${c.label} on jax-js`);
      const ms = await jaxMatmulMs(c);
      const gflops = flopsOf(c) / (ms * 1e6);
      rows.push([c.label, "jax-js (peer)", formatMs(ms), gflops.toFixed(1), ofPeak(gflops, peaks.wasm)]);
    } catch (e) {
      errors.add(`jax-js: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
  }
  return [
    "### Roofline: f32 matmul kernels, one thread",
    "",
    `Peak probes (best of 50 short runs of independent multiply-add chains): JS scalar ${peaks.js.toFixed(1)} ` +
      `GFLOP/s, Wasm SIMD f32x4 mul+add ${peaks.wasm.toFixed(1)} GFLOP/s. "of peak" is against the JS peak for the ` +
      `js backend and the Wasm SIMD peak otherwise; jax-js (jit, Wasm SIMD) is the peer's matmul on the same shape, ` +
      `for reference.`,
    "",
    markdownTable(["matmul", "kernel", "ms (best of 15)", "GFLOP/s", "of peak"], rows),
    ...(errors.size > 0 ? ["", ...[...errors].map((e) => `- ${e}`)] : []),
  ].join("\n");
}
