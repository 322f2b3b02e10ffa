import { compiledStep, compileModelAt, type CompiledModel, type CompiledStep, type ModelAtCompiledSizes, type StepFactory, type StepFeeds, type StepResults } from "./compile.ts";
import { customCall } from "./js/custom.ts";
import { stepSource } from "./host/step-source.ts";
import { isModelSpec, prepareModel, type ModelSpec } from "./model.ts";
import { specializationLimit, withSizes } from "./model-sizes.ts";
import { prepareStep } from "./prepare.ts";
import type { CompileOptions, StepSpec } from "./spec.ts";
import type { MatmulPool, MatmulPoolOptions } from "./wasm/matmul-pool-core.ts";
import type { MatmulSpec } from "./wasm/matmul-spec.ts";
import type { WasmMemory } from "./wasm/wasm-api.ts";
import { wasm } from "./wasm/index.ts";
import { adaptiveChoice } from "./wasm/adaptive-choice.ts";

export interface ThreadedCompileOptions extends CompileOptions {
  /** Threads running the large kernels, the caller included (default 2: both cores here). */
  readonly threads?: number;
  /** Split a matmul only from this many flops (2·M·K·N) up; see the pool's default. */
  readonly minFlops?: number;
  /**
   * Choose by measurement (default true): per kernel, split or on the caller only; per
   * step, after its first ~12 runs and again now and then, the step with threads or on
   * one thread. Results are bit-identical either way; false always splits.
   */
  readonly adaptive?: boolean;
}

/** What a step or model compiled with threads adds: the pool's controls and reports. */
export interface ThreadedParts {
  /** Stops the worker threads (they are unref'd, so a forgotten step never keeps Node alive). */
  close(): Promise<void>;
  /** Export names of the kernels split across threads: large matmuls, then loops (loop-split.ts). */
  readonly splitKernels: readonly string[];
  /** The loop kernels among them (the rest are matmuls). */
  readonly splitLoops: readonly string[];
  /** Chunks each worker has run so far (> 0: the workers really took work). */
  workerChunks(): number[];
}

export interface ThreadedStep extends CompiledStep, ThreadedParts {
  /** Whether the next run() uses the threads (the whole-step adaptive choice). */
  usingThreads(): boolean;
}

/** A model compiled with threads: the model's API plus the pool's controls and reports (each entry chooses threads per step). */
export interface ThreadedModel extends CompiledModel, ThreadedParts {}

/** A platform's matmul pool: Node's worker_threads (matmul-pool.ts) or Web Workers (pool-browser.ts). */
export type CreateMatmulPool = (specs: readonly MatmulSpec[], memory: WasmMemory, options: MatmulPoolOptions) => Promise<MatmulPool>;

/**
 * compile() with the large Wasm matmuls and loop kernels split across worker threads
 * over a shared arena, on the given platform's pool (`compileThreaded` in
 * `@gradfold/codegen/node` and `@gradfold/codegen/browser`). Each split matmul cuts C's
 * rows or columns, never k, and each split loop cuts whole rows, vectors or column
 * groups (loop-split.ts), so results are bit-identical to compile()'s single-threaded
 * step. Adaptive per kernel and per step (stepChoice). Async because workers start
 * asynchronously; everything else is compile().
 */
export async function compileThreadedWith(createMatmulPool: CreateMatmulPool, spec: StepSpec, options?: ThreadedCompileOptions): Promise<ThreadedStep>;
export async function compileThreadedWith(createMatmulPool: CreateMatmulPool, spec: ModelSpec, options?: ThreadedCompileOptions): Promise<ThreadedModel>;
export async function compileThreadedWith(
  createMatmulPool: CreateMatmulPool,
  spec: StepSpec | ModelSpec,
  options: ThreadedCompileOptions = {},
): Promise<ThreadedStep | ThreadedModel> {
  if (typeof SharedArrayBuffer === "undefined") {
    throw new TypeError(
      "compileThreaded needs SharedArrayBuffer, which browsers give only to cross-origin isolated pages (served with " +
        "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp); use compile() " +
        "elsewhere",
    );
  }
  const threads = options.threads ?? 2;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`compileThreaded: threads must be a positive integer, got ${threads}`);
  const limit = specializationLimit(options, "compileThreaded");
  const prepared = isModelSpec(spec) ? prepareModel(spec, options, "compileThreaded") : prepareStep(spec, options, "compileThreaded");
  const generated = stepSource(prepared, options.backend ?? "auto", { threads, shared: true, what: "compileThreaded", checkNumerics: options.checkNumerics });
  const pages = generated.memoryBytes / 65536;
  const memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true });
  const pool =
    generated.matmulSpecs.length > 0 || generated.loopSplits.length > 0
      ? await createMatmulPool(generated.matmulSpecs, memory, {
          workers: threads - 1,
          scratchOffset: generated.packOffset,
          minFlops: options.minFlops,
          adaptive: options.adaptive,
          loops: generated.loopSplits,
        })
      : null;
  const factory = new Function("image", "wasmBytes", "customCalls", "options", generated.body) as StepFactory;
  const customCalls = generated.customNodes.map((node) => customCall(node, prepared.shapes));
  const step = factory(generated.image, generated.wasmBytes, customCalls, { memory, matmuls: pool ? { ...pool.kernels, ...pool.loops } : undefined });
  const compiled = compiledStep(step, prepared, generated);
  const splitKernels = pool?.splitKernels ?? [];
  const threaded = { ...compiled, close: async () => pool?.close(), splitKernels, splitLoops: pool?.splitLoops ?? [], workerChunks: () => pool?.workerChunks() ?? [] };
  if (isModelSpec(spec)) {
    // A model: sizes first met in run() compile single-threaded there (bit-identical); prepare() compiles them threaded.
    // Each entry has its own whole-step choice (a training step and an evaluation differ).
    const model = step as unknown as Pick<ModelAtCompiledSizes, "run" | "entries">;
    const choices = new Map<string, (feeds: StepFeeds) => StepResults>();
    const chooseFor = (entry: string) => {
      let choice = choices.get(entry);
      if (!choice) {
        choice = pool ? stepChoice(pool, (feeds: StepFeeds) => model.run(entry, feeds), options.adaptive !== false) : (feeds) => model.run(entry, feeds);
        choices.set(entry, choice);
      }
      return choice;
    };
    const run = (entry: string, feeds: StepFeeds) => chooseFor(entry)(feeds);
    return withSizes({ ...threaded, run, entries: model.entries }, spec, limit, {
      now: (sizes) => compileModelAt({ ...spec, sizes }, options),
      ahead: (sizes) => compileThreadedWith(createMatmulPool, { ...spec, sizes }, options),
    });
  }
  if (!pool || splitKernels.length === 0) return { ...threaded, usingThreads: () => false };
  const chosen = stepChoice(pool, compiled.run, options.adaptive !== false);
  return { ...threaded, run: chosen, usingThreads: chosen.usingSplit };
}

/**
 * The whole step with threads or on one thread (`pool.useThreads`), measured when
 * `adaptive`: every split may pay alone yet the step not, when the second core is busy
 * elsewhere or hand-offs add up. 5 warm-up runs of each, then 4 timed of each (18
 * steps), then the faster by median for 50 steps (doubling up to 200), or 16 on one
 * thread (doubling up to 256 while it keeps winning), before measuring again. Results are bit-identical either way.
 */
function stepChoice<R>(pool: MatmulPool, run: (feeds: StepFeeds) => R, adaptive: boolean): ((feeds: StepFeeds) => R) & { usingSplit(): boolean } {
  const withThreads = (feeds: StepFeeds) => {
    // Measured against one thread with every kernel split; the per-kernel choices refine
    // the steps run on threads afterwards.
    pool.useThreads(true, measuring());
    pool.stepping(true);
    try {
      return run(feeds);
    } finally {
      pool.stepping(false);
    }
  };
  let measuring = () => false;
  if (!adaptive || pool.splitKernels.length === 0) return Object.assign(withThreads, { usingSplit: () => pool.splitKernels.length > 0 });
  const oneThread = (feeds: StepFeeds) => {
    pool.useThreads(false);
    return run(feeds);
  };
  // No margin toward the threads here (unlike a kernel's): measured on a shared machine, a
  // step whose worker is preempted mid-chunk waits for it, and that is no small cost.
  // One thread, once chosen, for 16 steps before measuring again, doubling up to 256
  // while it keeps winning: each round runs 4 steps on threads, which cost most exactly
  // when one thread keeps winning (a busy machine), while a choice made in a moment of
  // load should not outlast it by much.
  // 5 warm-up runs of each, not a kernel's 2: a fresh pool's first steps run while V8 still
  // tiers up every kernel in the caller and each worker, on the same cores, and a first
  // round measured then chose one thread in apps/bench (threaded trials of 5–8 ms beside
  // 1.7 ms ones at batch 128), which then held for 16 steps.
  const chosen = adaptiveChoice(withThreads, oneThread, { warmup: 5, margin: 1, singlePeriod: 16, maxSinglePeriod: 256 });
  measuring = chosen.measuring;
  return chosen;
}
