import { compiledStep, compileModelAt, type CompiledModel, type CompiledStep, type StepFactory } from "./compile.ts";
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

export interface ThreadedCompileOptions extends CompileOptions {
  /** Threads running the large matmuls, the caller included (default 2: both cores here). */
  readonly threads?: number;
  /** Split a matmul only from this many flops (2·M·K·N) up; see the pool's default. */
  readonly minFlops?: number;
}

export interface ThreadedStep extends CompiledStep {
  /** Stops the worker threads (they are unref'd, so a forgotten step never keeps Node alive). */
  close(): Promise<void>;
}

/** A platform's matmul pool: Node's worker_threads (matmul-pool.ts) or Web Workers (pool-browser.ts). */
export type CreateMatmulPool = (specs: readonly MatmulSpec[], memory: WasmMemory, options: MatmulPoolOptions) => Promise<MatmulPool>;

/**
 * compile() with the Wasm matmuls split across worker threads over a shared arena,
 * on the given platform's pool (`compileThreaded` in `@gradfold/codegen/node` and
 * `@gradfold/codegen/browser`). Each split matmul cuts C's rows or columns, never k, so
 * results are bit-identical to compile()'s single-threaded step. Async because workers start
 * asynchronously; everything else is compile().
 */
export async function compileThreadedWith(createMatmulPool: CreateMatmulPool, spec: StepSpec, options?: ThreadedCompileOptions): Promise<ThreadedStep>;
export async function compileThreadedWith(createMatmulPool: CreateMatmulPool, spec: ModelSpec, options?: ThreadedCompileOptions): Promise<CompiledModel>;
export async function compileThreadedWith(
  createMatmulPool: CreateMatmulPool,
  spec: StepSpec | ModelSpec,
  options: ThreadedCompileOptions = {},
): Promise<ThreadedStep | CompiledModel> {
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
    generated.matmulSpecs.length > 0
      ? await createMatmulPool(generated.matmulSpecs, memory, { workers: threads - 1, scratchOffset: generated.packOffset, minFlops: options.minFlops })
      : null;
  const factory = new Function("image", "wasmBytes", "customCalls", "options", generated.body) as StepFactory;
  const customCalls = generated.customNodes.map((node) => customCall(node, prepared.shapes));
  const step = factory(generated.image, generated.wasmBytes, customCalls, { memory, matmuls: pool?.kernels });
  const threaded = { ...compiledStep(step, prepared, generated), close: async () => pool?.close() };
  if (!isModelSpec(spec)) return threaded;
  // A model: sizes first met in run() compile single-threaded there (bit-identical); prepare() compiles them threaded.
  const model = step as unknown as Pick<CompiledModel, "run" | "entries">;
  return withSizes({ ...threaded, run: model.run, entries: model.entries }, spec, limit, {
    now: (sizes) => compileModelAt({ ...spec, sizes }, options),
    ahead: (sizes) => compileThreadedWith(createMatmulPool, { ...spec, sizes }, options),
  });
}
