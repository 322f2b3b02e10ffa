/**
 * Where a CNN training step's time goes (not a test): each kernel's median ms per
 * step, its share of the step and, for convs and matmuls, GFLOP/s; then each Wasm
 * conv pass split into its im2col/col2im copy and its matmul. The step is
 * cnn-graph.ts's (issue 15's bench CNN, SGD) compiled for one thread.
 *
 *   cd packages/codegen && npx tsx --conditions=source src/bench/cnn-profile.ts [auto|js] [batch] [steps]
 *
 * Timing: every kernel function of the generated step is wrapped (text inserted
 * before runKernels) and every Wasm export is replaced by a timed wrapper over the
 * same memory (options.matmuls overrides the step's exports by name). The wrappers
 * cost ~1 µs per call: ~2 ms per step at batch 128 (the conv exports run per image).
 */
import { loadavg } from "node:os";
import type { AnyTensor } from "@gradfold/graph";
import type { StepFactory } from "../compile.ts";
import { stepSource } from "../host/step-source.ts";
import { customCall } from "../js/custom.ts";
import { matmulDims } from "../js/matmul.ts";
import type { Kernel } from "../lower/kernel.ts";
import { prepareStep } from "../prepare.ts";
import type { Backend } from "../spec.ts";
import { wasm } from "../wasm/wasm-api.ts";
import { cnnStep } from "./cnn-graph.ts";

const backend = (process.argv[2] ?? "auto") as Backend;
const batch = Number(process.argv[3] ?? 128);
const steps = Number(process.argv[4] ?? 20);
const { spec, feeds } = cnnStep(batch);
const prepared = prepareStep(spec, { backend }, "cnn-profile");
const generated = stepSource(prepared, backend, { what: "cnn-profile" });
const pages = generated.memoryBytes / 65536;
const memory = new wasm.Memory({ initial: pages, maximum: pages });

/** Milliseconds of the current step per timed name. */
const current = new Map<string, number>();
const perStep = new Map<string, number[]>();
const timed =
  <F extends (...args: number[]) => unknown>(name: string, fn: F) =>
  (...args: number[]) => {
    const t0 = performance.now();
    const r = fn(...args);
    current.set(name, (current.get(name) ?? 0) + performance.now() - t0);
    return r;
  };

const exportsTimed: Record<string, (...args: number[]) => unknown> = {};
for (const bytes of generated.wasmBytes) {
  const exports = new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports as Record<string, unknown>;
  for (const [name, fn] of Object.entries(exports)) if (typeof fn === "function") exportsTimed[name] = timed(`wasm ${name}`, fn as (...args: number[]) => unknown);
}
const kernelNames = [...generated.body.matchAll(/^function (k\d+_\w*)\(/gm)].map((m) => m[1]);
const at = generated.body.indexOf("function runKernels()");
if (at < 0) throw new Error("cnn-profile: no runKernels in the generated step");
const wraps = kernelNames.map((name) => `${name} = options.profile(${JSON.stringify(name)}, ${name});`).join("\n");
const body = `${generated.body.slice(0, at)}${wraps}\n${generated.body.slice(at)}`;
const factory = new Function("image", "wasmBytes", "customCalls", "options", body) as StepFactory;
const step = factory(
  generated.image,
  generated.wasmBytes,
  generated.customNodes.map((n) => customCall(n, prepared.shapes)),
  { memory, matmuls: exportsTimed, profile: timed } as never,
);

for (let i = 0; i < 3; i++) step.run(feeds);
const cpu: number[] = [];
for (let i = 0; i < steps; i++) {
  current.clear();
  const c = process.cpuUsage();
  const t0 = performance.now();
  step.run(feeds);
  current.set("step", performance.now() - t0);
  const used = process.cpuUsage(c);
  cpu.push((used.user + used.system) / 1000);
  for (const [name, ms] of current) {
    const list = perStep.get(name) ?? [];
    list.push(ms);
    perStep.set(name, list);
  }
}
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const ms = (name: string) => median(perStep.get(name) ?? []);

/** Multiply-adds ×2 of a kernel's conv or matmul (0 for the rest). */
function flopsOf(kernel: Kernel): number {
  const shape = (t: AnyTensor) => prepared.shapes.of(t);
  const head = kernel.kind === "conv" ? kernel.conv : kernel.kind === "matmul" ? kernel.matmul : kernel.kind === "op" ? kernel.node : null;
  if (!head) return 0;
  if (head.op === "matmul") {
    const d = matmulDims(head, shape);
    return 2 * d.m * d.n * d.k * d.batch.reduce((a, b) => a * b, 1);
  }
  const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  // Every conv pass is one multiply-add per (output position, tap, group channel, output channel).
  if (head.op === "conv2d") return 2 * count(shape(head)) * count(shape(head.inputs[1]).slice(0, 3));
  if (head.op === "conv2dTranspose") return 2 * count(shape(head.inputs[0])) * count(shape(head.inputs[1]).slice(0, 3));
  if (head.op === "conv2dFilterGrad") return 2 * count(shape(head.inputs[1])) * count(shape(head).slice(0, 3));
  return 0;
}

const stepMs = ms("step");
const rows = prepared.kernels.map((kernel, i) => {
  const name = kernelNames.find((n) => n.startsWith(`k${kernel.id}_`)) ?? `k${kernel.id}`;
  const t = ms(name);
  const flops = flopsOf(kernel);
  const what = `${kernel.kind}: ${kernel.nodes.map((n) => n.op).join(" → ")}`;
  return { i, name, what, t, gflops: flops > 0 && t > 0 ? flops / (t * 1e6) : undefined };
});
const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
console.log(
  `CNN b${batch} SGD [${backend}], one thread: median ${stepMs.toFixed(1)} ms/step wall, ${median(cpu).toFixed(1)} ms CPU over ${steps} steps; load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
console.log(`\n| kernel | what | ms/step | % of step | GFLOP/s |\n|---|---|--:|--:|--:|`);
for (const r of [...rows].sort((a, b) => b.t - a.t)) {
  if (r.t < 0.05 * (stepMs / 100)) continue;
  console.log(`| ${pad(r.name, 28)} | ${r.what} | ${r.t.toFixed(2)} | ${((100 * r.t) / stepMs).toFixed(1)} | ${r.gflops?.toFixed(1) ?? ""} |`);
}
const convExports = [...perStep.keys()].filter((k) => /^wasm c\d+_/.test(k)).sort();
if (convExports.length > 0) {
  console.log(`\nWasm conv exports (summed over the per-image calls):\n\n| export | ms/step |\n|---|--:|`);
  for (const k of convExports) console.log(`| ${k.slice(5)} | ${ms(k).toFixed(2)} |`);
}
