import { describeGroup } from "@gradfold/optimize";
import { customCall, type CustomCall } from "./js/custom.ts";
import { stepSource, type StepSource } from "./host/step-source.ts";
import { isModelSpec, prepareModel, type ModelSpec } from "./model.ts";
import { specializationLimit, withSizes, type ModelSizes } from "./model-sizes.ts";
import type { Placement } from "./placement.ts";
import { prepareStep, type PreparedStep } from "./prepare.ts";
import type { CompileOptions, StepSpec } from "./spec.ts";

/** Arrays fed to run(): Float32Array for float32 inputs, Int32Array for int32, Uint8Array or Int32Array for bool. */
export type StepFeeds = Readonly<Record<string, Float32Array | Int32Array | Uint8Array>>;

/**
 * run() results: views into the step's arena, the same arrays on every call and
 * overwritten by the next run — copy what you keep (`.slice()`). This is what lets a
 * step run without allocating.
 */
export type StepResults = Readonly<Record<string, Float32Array | Int32Array>>;

/** The object compile() returns, and emit()'s createStep() too (without the inspection fields). */
export interface StepObject {
  /** Checks feeds (nothing changes on error), computes outputs and update values from the old state, then applies updates. */
  run(feeds: StepFeeds): StepResults;
  /** A copy of a param's or optimizer state slot's current value. */
  read(name: string): Float32Array;
  /** Overwrites a param or state slot; checks first, so a bad call changes nothing. */
  write(name: string, data: Float32Array | Float64Array | readonly number[]): void;
  /** The names read() and write() accept. */
  names(): string[];
  /** The arena every buffer is a view of: a WebAssembly.Memory, shared with Wasm kernels. */
  readonly memory: { readonly buffer: ArrayBuffer | SharedArrayBuffer };
}

export interface KernelInfo {
  readonly name: string;
  /** The plan's kernel group, described exactly as `optimize(...).explain().kernels` lists it. */
  readonly group: string;
  /** `op#id` (or `param "name"`) of every graph node the kernel computes. */
  readonly fuses: readonly string[];
  /** Where it runs: "wasm" (a Wasm SIMD call from JS glue), "js", or "wasm+js" (a Wasm matmul whose epilogue is a JS pass). */
  readonly runs: Placement;
  readonly source: string;
}

export interface CompiledStep extends StepObject {
  /** The generated factory body; `new Function("image", "wasmBytes", "customCalls", "options", source)` is what compile() ran. */
  readonly source: string;
  readonly kernels: readonly KernelInfo[];
  /** The Wasm modules the step instantiated (empty when every kernel is JS). */
  readonly wasmBytes: readonly Uint8Array[];
  /** Bytes of the planned arena (whole 64 KiB pages, the size of `memory`): the number `optimize(...).explain().arenaBytes` reports. */
  readonly arenaBytes: number;
  /** Kernel groups the optimizer planned, and buffer bytes before/after reuse. */
  readonly stats: {
    readonly groups: number;
    readonly kernels: number;
    /** Kernels (matmuls and elementwise loops) running as Wasm SIMD. */
    readonly wasmKernels: number;
    /** Kernels running wholly or partly in JS (see each kernel's `runs`). */
    readonly jsKernels: number;
    readonly workBytesNaive: number;
    readonly arenaBytes: number;
  };
}

/**
 * A model: several entries over one set of params and optimizer state, in one arena
 * planned once (`compile({ entries: { train, predict }, sizes })`). `run(entry, feeds,
 * sizes?)` runs other sizes through specializations over the same params (ModelSizes).
 */
export interface CompiledModel extends Omit<CompiledStep, "run">, ModelSizes {
  /** The entry names run() accepts. */
  entries(): string[];
}

/** A model at its compiled sizes only: what the generated code gives, with the inspection fields. */
export type ModelAtCompiledSizes = Omit<CompiledModel, keyof ModelSizes> & { run(entry: string, feeds: StepFeeds): StepResults; close?(): Promise<void> };

/** Compiles a step (or a model of several entries) to specialized kernels in this process (JIT). */
export function compile(spec: StepSpec, options?: CompileOptions): CompiledStep;
export function compile(spec: ModelSpec, options?: CompileOptions): CompiledModel;
export function compile(spec: StepSpec | ModelSpec, options: CompileOptions = {}): CompiledStep | CompiledModel {
  if (isModelSpec(spec)) {
    const limit = specializationLimit(options, "compile");
    return withSizes(compileModelAt(spec, options), spec, limit, { now: (sizes) => compileModelAt({ ...spec, sizes }, options) });
  }
  const prepared = prepareStep(spec, options, "compile");
  const generated = stepSource(prepared, options.backend ?? "auto", { checkNumerics: options.checkNumerics });
  // The very last step: everything above is plain data and text.
  const customCalls = generated.customNodes.map((node) => customCall(node, prepared.shapes));
  const factory = new Function("image", "wasmBytes", "customCalls", "options", generated.body) as StepFactory;
  const step = factory(generated.image, generated.wasmBytes, customCalls, {});
  return compiledStep(step, prepared, generated);
}

/** A model compiled for `spec.sizes` only (run(entry, feeds)). */
export function compileModelAt(spec: ModelSpec, options: CompileOptions): ModelAtCompiledSizes {
  const prepared = prepareModel(spec, options, "compile");
  const generated = stepSource(prepared, options.backend ?? "auto", { checkNumerics: options.checkNumerics });
  const customCalls = generated.customNodes.map((node) => customCall(node, prepared.shapes));
  const model = new Function("image", "wasmBytes", "customCalls", "options", generated.body)(generated.image, generated.wasmBytes, customCalls, {});
  return { ...compiledStep(model, prepared, generated), run: model.run, entries: model.entries };
}

/** What the generated body is, as a function. */
export type StepFactory = (
  image: Uint8Array,
  wasmBytes: readonly Uint8Array[],
  customCalls: readonly CustomCall[],
  options: { memory?: { readonly buffer: ArrayBuffer | SharedArrayBuffer }; matmuls?: Record<string, unknown> },
) => StepObject;

/** The step object with its inspection fields. */
export function compiledStep(step: StepObject, prepared: PreparedStep, generated: StepSource): CompiledStep {
  return {
    run: step.run,
    read: step.read,
    write: step.write,
    names: step.names,
    memory: step.memory,
    source: generated.body,
    wasmBytes: generated.wasmBytes,
    kernels: generated.kernels.map(({ name, fuses, source }, i) => ({ name, group: describeGroup(prepared.plan.groups[i]), fuses, runs: generated.placements[i], source })),
    arenaBytes: generated.arenaBytes,
    stats: {
      groups: prepared.plan.groups.length,
      kernels: prepared.kernels.length,
      wasmKernels: generated.wasmKernels,
      jsKernels: generated.placements.filter((p) => p !== "wasm").length,
      workBytesNaive: prepared.arena.naiveWorkBytes,
      arenaBytes: generated.arenaBytes,
    },
  };
}
