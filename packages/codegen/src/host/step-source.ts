import { initialValue, numel, type AnyTensor } from "@gradfold/graph";
import { bindShape } from "@gradfold/graph/internal";
import { jsBackend } from "../js/backend.ts";
import { literal, SourceBuilder } from "../js/builder.ts";
import { helperSource, type HelperName } from "../js/helpers.ts";
import { describeNode, type KernelEnv, type KernelSource } from "../js/kernel-source.ts";
import type { PreparedStep } from "../prepare.ts";
import type { Backend } from "../spec.ts";
import { wasmBackend, type WasmBuild } from "../wasm/backend.ts";
import type { MatmulSpec } from "../wasm/matmul-spec.ts";
import type { LoopSplit } from "../wasm/loop-split.ts";
import { wasmFeatures, type WasmFeatures } from "../wasm/features.ts";
import { checkBackend, placements, type Placement } from "../placement.ts";
import { feedRanges } from "../feed-ranges.ts";
import { renumberNodeIds } from "../renumber.ts";
import { numericsChecks } from "../numerics.ts";
import { ALIGN, type Slot } from "./arena.ts";
import { isCannot } from "./backend.ts";
import { runtimeSource } from "./runtime.ts";

const PAGE = 65536;

/**
 * The generated step: a factory body taking the initial arena image as `image`, the
 * Wasm modules as `wasmBytes`, user-defined ops' calls as `customCalls` and
 * `options` ({ memory?, matmuls? } to run on a caller's shared memory and pool).
 */
export interface StepSource {
  /** Source of `function (image, wasmBytes, customCalls, options) { ... return step; }`'s body. */
  readonly body: string;
  /** The Wasm kernels' modules (empty when every kernel is JS). */
  readonly wasmBytes: readonly Uint8Array[];
  /** How many of the kernels run as Wasm. */
  readonly wasmKernels: number;
  /** One per plan group, in order; `placements[i]` says where `kernels[i]` runs. */
  readonly kernels: readonly KernelSource[];
  /** Where each kernel runs, in kernel order. */
  readonly placements: readonly Placement[];
  /** The Wasm matmuls' specs (export names k<id>), for a pool that runs the same kernels on several threads. */
  readonly matmulSpecs: readonly MatmulSpec[];
  /** The loop kernels a thread pool may split (only with `shared` and more than one thread). */
  readonly loopSplits: readonly LoopSplit[];
  /** Where the matmul kernels' packing scratch starts (one region per thread after it). */
  readonly packOffset: number;
  /** Custom-op nodes, in the order of the `customCalls` the body expects. */
  readonly customNodes: readonly AnyTensor[];
  /** Initial bytes of the arena's static region: params, constants, sizes. */
  readonly image: Uint8Array;
  /** Bytes of the planned arena (the plan's, scratch included; more with threads). */
  readonly arenaBytes: number;
  /** Bytes of the WebAssembly.Memory holding it: the arena in whole 64 KiB pages. */
  readonly memoryBytes: number;
}

/** How stepSource() builds the step: threads, shared memory, Wasm features, checks. */
export interface StepSourceOptions {
  /** Threads that may run matmuls at once (each needs its own packing scratch); default 1. */
  readonly threads?: number;
  /** Build the Wasm modules to import a shared memory (for a worker pool). */
  readonly shared?: boolean;
  /** The Wasm features the modules may use; default this engine's (emit() passes baseline SIMD). */
  readonly features?: WasmFeatures;
  /** Names the caller in errors ("compile", "emit"). */
  readonly what?: string;
  /** Check each kernel's float outputs for NaN/±Infinity as it runs (see CompileOptions). */
  readonly checkNumerics?: boolean;
}

/**
 * Writes the whole step: one WebAssembly.Memory as the arena, one typed-array view
 * per buffer (created once), the kernels, `runKernels()` calling them in schedule
 * order then copying updates into their targets, and the runtime methods.
 */
export function stepSource(step: PreparedStep, backend: Backend = "auto", options: StepSourceOptions = {}): StepSource {
  const { arena: plan, shapes } = step;
  const threads = options.threads ?? 1;
  const helpers = new Set<HelperName>();
  const customNodes: AnyTensor[] = [];
  const env: KernelEnv = { shapes, stored: step.stored, helpers, customNodes };
  // Each kernel goes to the first backend that takes it whole: Wasm (unless "js"), else JS.
  const js = jsBackend(env);
  const features = options.features ?? wasmFeatures();
  const simd = backend === "js" ? null : wasmBackend(env, options.shared ?? false, features, options.shared ? threads : 1);
  const backends: Array<"js" | "wasm"> = [];
  const kernels = step.kernels.map((k) => {
    const viaWasm = simd?.lower(k);
    const code = viaWasm && !isCannot(viaWasm) ? viaWasm : js.lower(k);
    if (isCannot(code)) throw new Error(`codegen: no backend takes kernel ${k.id}: ${code.cannot}`);
    backends.push(code === viaWasm ? "wasm" : "js");
    return code;
  });
  const places = placements(step.kernels, backends, simd?.jsEpilogues ?? new Set());
  checkBackend(backend, step.kernels, places, features, options.what ?? "compile");
  const wasm: WasmBuild = simd ? simd.build() : { modules: [], matmulSpecs: [], scratchLength: 0, packBytes: 0, convScratchBytes: 0, loopSplits: [] };
  // The plan reserved scratch for the largest product and panel; the Wasm kernels must fit in it.
  const scratchOffset = plan.scratch.offset;
  const packOffset = Math.ceil((scratchOffset + 4 * wasm.scratchLength) / ALIGN) * ALIGN;
  if (packOffset + wasm.packBytes > scratchOffset + plan.scratch.bytes) {
    throw new Error(`codegen: the Wasm kernels need ${packOffset + wasm.packBytes - scratchOffset} bytes of scratch, the plan reserved ${plan.scratch.bytes}`);
  }
  // Conv kernels put one image's im2col matrix at the start of the scratch (no matmul runs meanwhile).
  if (wasm.convScratchBytes > plan.scratch.bytes) {
    throw new Error(`codegen: the Wasm conv kernels need ${wasm.convScratchBytes} bytes of scratch, the plan reserved ${plan.scratch.bytes}`);
  }
  // More threads each pack their own panels, after the planned arena.
  const totalBytes = threads > 1 ? Math.max(plan.totalBytes, packOffset + threads * wasm.packBytes) : plan.totalBytes;
  const views = new Map<string, { name: string; slot: Slot; nodes: AnyTensor[] }>();
  const viewOf = (node: AnyTensor): string => {
    const slot = plan.slotOf.get(node);
    if (!slot) throw new Error(`codegen: no buffer planned for ${node}`);
    const key = `${slot.kind}:${slot.byteOffset}:${slot.length}`;
    let view = views.get(key);
    if (!view) {
      view = { name: `b${views.size}`, slot, nodes: [] };
      views.set(key, view);
    }
    if (!view.nodes.includes(node)) view.nodes.push(node);
    return view.name;
  };

  const numerics = options.checkNumerics
    ? numericsChecks(
        step.kernels,
        kernels.map((k) => k.name),
        kernels.map((k) => k.params),
        step.stored,
        shapes,
        viewOf,
      )
    : null;
  const calls = kernels.map((k, i) => `${k.name}(${k.params.map(viewOf).join(", ")});${numerics?.after[i] ? ` ${numerics.after[i]}` : ""}`);
  const copies = plan.copies.map(([target, value]) => `${viewOf(target)}.set(${viewOf(value)}); // update ${describeNode(target)}`);
  const ranges = feedRanges([...step.outputs.map(([, n]) => n), ...step.updates.map(([, v]) => v)], step.inputs, shapes);
  const layout = {
    inputs: step.inputs.map((n) => ({
      range: ranges.get(n) ?? null,
      name: (n.params as { name: string }).name,
      dtype: n.dtype,
      shape: shapes.of(n),
      view: viewOf(n),
    })),
    params: step.params.map((n) => ({ name: (n.params as { name: string }).name, shape: shapes.of(n), view: viewOf(n) })),
    outputs: step.outputs.map(([name, n]) => ({ name, view: viewOf(n) })),
    restoreBytes: numerics ? plan.staticBytes : 0,
  };

  const pages = Math.max(1, Math.ceil(totalBytes / PAGE));
  const b = new SourceBuilder();
  b.line('"use strict";');
  b.line(`// The arena: ${totalBytes} bytes (${plan.staticBytes} of params and constants first), shared with Wasm kernels.`);
  b.line("// A caller-provided memory (shared, for a worker pool) or a fresh one.");
  // A plain buffer where WebAssembly is missing altogether (the JS kernels only need bytes).
  b.line(
    `const memory = options.memory || (typeof WebAssembly === "object" ? new WebAssembly.Memory({ initial: ${pages}, maximum: ${pages} }) : { buffer: new ArrayBuffer(${pages * PAGE}) });`,
  );
  b.line("const heap = memory.buffer;");
  b.line(
    `if (!(image instanceof Uint8Array) || image.length !== ${plan.staticBytes}) throw new Error("createStep: ` +
      `expected the ${plan.staticBytes}-byte initial image of params and constants");`,
  );
  b.line(`new Uint8Array(heap, 0, ${plan.staticBytes}).set(image);`);
  b.line("");
  const viewLines = [...views.values()]
    .sort((x, y) => x.slot.byteOffset - y.slot.byteOffset)
    .map(({ name, slot, nodes }) => {
      const type = slot.kind === "f32" ? "Float32Array" : "Int32Array";
      return `const ${name} = new ${type}(heap, ${slot.byteOffset}, ${slot.length}); // ${nodes.slice(0, 4).map(describeNode).join(", ")}${nodes.length > 4 ? ", ..." : ""}`;
    });
  viewLines.forEach((l) => {
    b.line(l);
  });
  b.line("");
  if (wasm.modules.length > 0) {
    b.line(
      `// Wasm SIMD kernels over the same memory: ${backends.filter((x) => x === "wasm").length} kernels, ` +
        `${wasm.matmulSpecs.length} of them matmuls (a product an epilogue reads lands in scratch unless stored).`,
    );
    b.line("const instances = wasmBytes.map((bytes) => new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports);");
    b.line("// options.matmuls: the same kernels split across threads, when a pool runs them.");
    b.line("const wasm = Object.assign(Object.create(null), ...instances, options.matmuls || {});");
    if (wasm.scratchLength > 0) b.line(`const scratch = new Float32Array(heap, ${scratchOffset}, ${wasm.scratchLength});`);
    b.line(`const pack = ${packOffset}; // ${wasm.packBytes} bytes where matmul kernels pack panels of B`);
    if (wasm.convScratchBytes > 0) b.line(`const convScratch = ${scratchOffset}; // ${wasm.convScratchBytes} bytes: the conv kernels' im2col matrix`);
    b.line("");
  }
  for (const h of helpers) b.append(helperSource[h]).line("");
  for (const k of kernels) b.append(k.source).line("");
  if (numerics) b.append(numerics.source).line("");
  const runKernels = (name: string, indices: readonly number[], updateCopies: readonly string[]) => {
    b.block(`function ${name}()`, () => {
      indices.forEach((i) => {
        b.line(calls[i]);
      });
      if (updateCopies.length > 0) b.line("// Updates not done in place: copied once every value is computed from the old state.");
      updateCopies.forEach((c) => {
        b.line(c);
      });
    });
    b.line("");
  };
  if (!step.entries) {
    runKernels(
      "runKernels",
      calls.map((_, i) => i),
      copies,
    );
    b.append(runtimeSource(layout));
  } else {
    // A model: per entry, the kernels it needs and a runtime of its own (its feeds and
    // results) over the one arena; read/write/names reach every param.
    b.line("const entries = Object.create(null);");
    step.entries.forEach((entry, i) => {
      runKernels(
        `runKernels${i}`,
        entry.kernels,
        entry.copies.map(([target, value]) => `${viewOf(target)}.set(${viewOf(value)}); // update ${describeNode(target)}`),
      );
      const entryLayout = {
        ...layout,
        inputs: layout.inputs.filter((_, j) => entry.inputs.includes(step.inputs[j])),
        outputs: entry.outputs.map(([name, n]) => ({ name, view: viewOf(n) })),
      };
      b.line(`entries[${literal(entry.name)}] = (function () {`);
      b.line(`const runKernels = runKernels${i};`);
      b.append(runtimeSource(entryLayout));
      b.line("})();");
      b.line("");
    });
    b.append(modelRuntimeSource(step.entries[0].name));
  }
  // Node ids out of the text: the same spec gives the same source in any process.
  const [body, ...kernelTexts] = renumberNodeIds([b.toString(), ...kernels.map((k) => k.source)]);
  return {
    body,
    matmulSpecs: wasm.matmulSpecs,
    loopSplits: wasm.loopSplits,
    packOffset,
    wasmBytes: wasm.modules,
    customNodes,
    wasmKernels: backends.filter((x) => x === "wasm").length,
    kernels: kernels.map((k, i) => ({ ...k, source: kernelTexts[i] })),
    placements: places,
    image: initialImage(step),
    arenaBytes: totalBytes,
    memoryBytes: pages * PAGE,
  };
}

/** The static region's bytes: param initial values, constants and sizes, as float32/int32. */
function initialImage(step: PreparedStep): Uint8Array {
  const image = new Uint8Array(step.arena.staticBytes);
  for (const leaf of [...step.params, ...step.constants]) {
    const slot = step.arena.slotOf.get(leaf)!;
    const view = slot.kind === "f32" ? new Float32Array(image.buffer, slot.byteOffset, slot.length) : new Int32Array(image.buffer, slot.byteOffset, slot.length);
    if (leaf.is("param")) {
      // Fast paths: the image starts zeroed, and float32 data copies as bytes.
      const init = leaf.params.init;
      if (typeof init === "number") view.fill(init);
      else if (init instanceof Float32Array) view.set(init);
      else view.set(initialValue(leaf));
    } else if (leaf.is("constant")) view.set(leaf.params.data);
    else if (leaf.is("size")) view[0] = numel(bindShape(leaf.params.dims, step.shapes.sizes, "size"));
  }
  return image;
}

/** The model object: `run(entry, feeds)` dispatches by entry name (names are data: a null-prototype map). */
function modelRuntimeSource(first: string): string {
  return `// ---- model: run(entry, feeds); read, write and names reach every param
function run(name, feeds) {
  const entry = typeof name === "string" && Object.hasOwn(entries, name) ? entries[name] : undefined;
  if (entry === undefined) throw new Error("run: unknown entry " + JSON.stringify(String(name)) + "; the entries are " + Object.keys(entries).map((n) => JSON.stringify(n)).join(", "));
  return entry.run(feeds);
}
const any = entries[${literal(first)}];
return { run, read: any.read, write: any.write, names: any.names, entries: () => Object.keys(entries), memory };`;
}
