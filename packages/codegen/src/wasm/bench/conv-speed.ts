/**
 * Conv speed at the CNN shapes: the Wasm im2col + matmul kernels against
 * the JS backend's direct loops (compile(), backend "js"), and how much of the Wasm
 * time is the im2col copy itself (the most a direct SIMD convolution could save).
 * A script, not a test:
 *
 *   cd packages/codegen && npx tsx --conditions=source src/wasm/bench/conv-speed.ts [batch]
 *
 * Single-thread CPU time of this process per call (immune to time slices given to
 * other processes on a shared machine).
 */
import { conv2d, conv2dFilterGrad, conv2dTranspose, input, type AnyTensor } from "@gradfold/graph";
import { compile } from "../../compile.ts";
import { buildConvKernels } from "../conv-build.ts";
import type { ConvSpec } from "../conv-kernels.ts";
import { im2colFunction } from "../conv-im2col.ts";
import { buildModule } from "../module-builder.ts";
import { seededRandom } from "../matmul-test-harness.ts";
import { wasm } from "../wasm-api.ts";
import { timeCall } from "./timing.ts";

const batch = Number(process.argv[2] ?? 16);
const layers: ConvSpec[] = [
  { name: "conv1", n: batch, h: 28, w: 28, c: 1, kh: 5, kw: 5, o: 32, pads: [2, 2, 2, 2] },
  { name: "conv2", n: batch, h: 14, w: 14, c: 32, kh: 5, kw: 5, o: 64, pads: [2, 2, 2, 2] },
];

const random = seededRandom(1);
const data = (n: number) => Float32Array.from({ length: n }, random);
const ms = (run: () => void) => timeCall(run, 5, 20).cpuMedian;

for (const s of layers) {
  const flops = 2 * s.n * s.h * s.w * s.kh * s.kw * s.c * s.o; // "same": oh·ow = h·w
  const gf = (t: number) => (flops / (t * 1e6)).toFixed(1);
  const built = buildConvKernels([s], { scratchOffset: 0 });
  const sizes = { x: s.n * s.h * s.w * s.c, w: s.kh * s.kw * s.c * s.o, y: s.n * s.h * s.w * s.o };
  const base = built.scratchBytes;
  const at = { x: base, w: base + 4 * sizes.x, y: base + 4 * (sizes.x + sizes.w), dx: base + 4 * (sizes.x + sizes.w + sizes.y) };
  const bytes = at.dx + 4 * (sizes.x + sizes.w);
  const memory = new wasm.Memory({ initial: Math.ceil(bytes / 65536) + 1 });
  const f32 = new Float32Array(memory.buffer);
  f32.set(data(sizes.x), at.x / 4);
  f32.set(data(sizes.w), at.w / 4);
  f32.set(data(sizes.y), at.y / 4);
  const k = built.instantiate(memory)[s.name];
  const wasmTimes = {
    forward: ms(() => k.forward(at.x, at.w, at.y)),
    inputGrad: ms(() => k.inputGrad(at.y, at.w, at.dx)),
    filterGrad: ms(() => k.filterGrad(at.x, at.y, at.dx)),
  };
  // The im2col copies alone, as many as a forward pass makes.
  const im2col = new wasm.Instance(
    new wasm.Module(
      buildModule({ shared: false }, [{ name: "f", fn: im2colFunction({ ...s, cg: s.c, oh: s.h, ow: s.w, strides: [1, 1], dilations: [1, 1], pads: s.pads! }, "im2col") }]),
    ),
    { env: { memory } },
  ).exports.f as (a: number, b: number) => void;
  const im2colMs = ms(() => {
    for (let i = 0; i < s.n; i++) im2col(at.x + 4 * i * s.h * s.w * s.c, 0);
  });

  // The JS backend's direct kernels, each compiled alone.
  const x = input("x", [s.n, s.h, s.w, s.c]);
  const w = input("w", [s.kh, s.kw, s.c, s.o]);
  const g = input("g", [s.n, s.h, s.w, s.o]);
  const options = { padding: "same" as const };
  const jsStep = (out: AnyTensor, inputs: AnyTensor[]) => compile({ inputs, outputs: { out }, sizes: {} }, { backend: "js" });
  const feeds = { x: data(sizes.x), w: data(sizes.w), g: data(sizes.y) };
  const fwd = jsStep(conv2d(x, w, options), [x, w]);
  const dx = jsStep(conv2dTranspose(g, w, { ...options, inputSize: [s.h, s.w] }), [g, w]);
  const dw = jsStep(conv2dFilterGrad(x, g, { ...options, kernelSize: [s.kh, s.kw] }), [x, g]);
  const jsTimes = {
    forward: ms(() => fwd.run({ x: feeds.x, w: feeds.w })),
    inputGrad: ms(() => dx.run({ g: feeds.g, w: feeds.w })),
    filterGrad: ms(() => dw.run({ x: feeds.x, g: feeds.g })),
  };
  console.log(`${s.name}: x [${s.n}, ${s.h}, ${s.w}, ${s.c}], filter ${s.kh}×${s.kw}×${s.c}×${s.o}, "same" (${(flops / 1e6).toFixed(0)} MFLOP per pass)`);
  for (const pass of ["forward", "inputGrad", "filterGrad"] as const) {
    const [a, b] = [wasmTimes[pass], jsTimes[pass]];
    console.log(`  ${pass.padEnd(10)}  wasm im2col+matmul ${a.toFixed(2)} ms (${gf(a)} GFLOP/s)   js direct ${b.toFixed(2)} ms (${gf(b)} GFLOP/s)   ${(b / a).toFixed(1)}×`);
  }
  console.log(`  im2col copies of one forward pass: ${im2colMs.toFixed(2)} ms (${((100 * im2colMs) / wasmTimes.forward).toFixed(0)}% of it)`);
}
