import { FunctionBuilder } from "./function-builder.ts";
import { buildModule } from "./module-builder.ts";
import { broadcastLayout, emitBroadcastMatmul } from "./matmul-broadcast.ts";
import { emitDotMatmul } from "./matmul-dot.ts";
import { resolveMatmul, type MatmulSpec, type MatmulVariant, type ResolvedMatmul } from "./matmul-spec.ts";
import { defaultTuning, type MatmulTuning } from "./matmul-tuning.ts";
import { wasmFeatures } from "./features.ts";
import { isSharedMemory, wasm, type WasmMemory, type WasmModule } from "./wasm-api.ts";

/**
 * A generated kernel: byte offsets of A, B, C (and the bias row when the spec has
 * one) in the memory the module was instantiated with. Offsets should be multiples
 * of 4 (they are Float32Array views' byteOffsets); out-of-bounds access traps.
 */
export type MatmulKernel = (aOffset: number, bOffset: number, cOffset: number, biasOffset?: number, scratchOffset?: number) => void;

export interface BuildMatmulOptions {
  /** Declare the imported memory shared (for a SharedArrayBuffer-backed memory). Default false. */
  readonly shared?: boolean;
  /** Use relaxed SIMD's fused multiply-add: "auto" (default) uses it only where the engine validates it without flags. */
  readonly relaxedSimd?: boolean | "auto";
  /** Override register-tile shapes (benchmarks and tests). */
  readonly tuning?: Partial<MatmulTuning>;
  /**
   * Byte offset of `scratchBytes` bytes the nn/tn kernels may use to pack panels of B
   * (about 30% faster at the MLP's shapes). Without it kernels read B in place. A call
   * may pass its own scratch offset as the fifth argument (one region per thread).
   */
  readonly scratchOffset?: number;
}

export interface MatmulKernels {
  /** The module bytes, importing `env.memory` declared as `options.shared` says. */
  readonly bytes: Uint8Array;
  /** The specs with defaults filled in, in the order given. */
  readonly specs: readonly ResolvedMatmul[];
  /** The tuning actually used (after the relaxed SIMD decision). */
  readonly tuning: MatmulTuning;
  /** Bytes of scratch one call uses (0 when packing is off: no `scratchOffset`). */
  readonly scratchBytes: number;
  /** Compiles (once per memory kind) and instantiates against `memory`; shared or not is detected. */
  instantiate(memory: WasmMemory): Record<string, MatmulKernel>;
  /** The compiled module for a shared or unshared memory (what a worker instantiates). */
  module(shared: boolean): WasmModule;
}

const emitters: { [V in MatmulVariant]: (fn: FunctionBuilder, s: ResolvedMatmul, t: MatmulTuning, pack: boolean) => void } = {
  nn: emitBroadcastMatmul,
  tn: emitBroadcastMatmul,
  // With scratch, nt packs transposed panels of B and runs the broadcast kernel (k-ascending sums, like nn/tn).
  nt: (fn, s, t, pack) => (pack && t.order === "columns" ? emitBroadcastMatmul(fn, s, t, pack) : emitDotMatmul(fn, s, t)),
};

/** Generates one function per spec: `(a, b, c, bias, scratch: i32) -> ()`. */
export function matmulFunction(spec: ResolvedMatmul, tuning: MatmulTuning, pack = false): FunctionBuilder {
  const fn = new FunctionBuilder(["i32", "i32", "i32", "i32", "i32"]);
  emitters[spec.variant](fn, spec, tuning, pack && spec.pack);
  return fn;
}

/** Scratch bytes one call of a kernel uses when packing (B panels, for nt transposed; for tn also a block of A). */
export function packedScratchBytes(spec: ResolvedMatmul, tuning: MatmulTuning): number {
  return spec.pack ? broadcastLayout(spec, tuning, true).bytes : 0;
}

/** The tuning a build uses: defaults, the relaxed SIMD decision, then overrides. */
export function resolveTuningFor(options: BuildMatmulOptions): MatmulTuning {
  const relaxed = options.relaxedSimd ?? "auto";
  const fma = relaxed === "auto" ? wasmFeatures().relaxedSimd : relaxed;
  const t = { ...defaultTuning, fma, ...options.tuning };
  for (const key of ["rows", "vectors", "tnRows", "tnVectors", "ntRows", "ntCols", "kUnroll"] as const) {
    if (!Number.isInteger(t[key]) || t[key] < 1) throw new RangeError(`matmul tuning: ${key} must be a positive integer, got ${t[key]}`);
  }
  return t;
}

/**
 * Builds one Wasm module with a kernel per spec, each specialized to its constant
 * sizes, leading dimensions, variant and epilogue.
 */
export function buildMatmulKernels(specs: readonly MatmulSpec[], options: BuildMatmulOptions = {}): MatmulKernels {
  const resolved = specs.map(resolveMatmul);
  const tuning = resolveTuningFor(options);
  const pack = options.scratchOffset !== undefined;
  const functions = resolved.map((s) => ({ name: s.name, fn: matmulFunction(s, tuning, pack) }));
  const scratchBytes = pack ? Math.max(0, ...resolved.map((s) => packedScratchBytes(s, tuning))) : 0;
  const defaultScratch = options.scratchOffset ?? 0;
  const shared = options.shared ?? false;
  const bytesFor = (isShared: boolean) => buildModule({ shared: isShared }, functions);
  const bytes = bytesFor(shared);
  const modules = new Map<boolean, WasmModule>();
  const module = (isShared: boolean) => {
    let m = modules.get(isShared);
    if (!m) {
      m = new wasm.Module(isShared === shared ? bytes : bytesFor(isShared));
      modules.set(isShared, m);
    }
    return m;
  };
  return {
    bytes,
    specs: resolved,
    tuning,
    scratchBytes,
    module,
    instantiate(memory) {
      const isShared = isSharedMemory(memory);
      const instance = new wasm.Instance(module(isShared), { env: { memory } });
      const kernels: Record<string, MatmulKernel> = {};
      for (const s of resolved) {
        const f = instance.exports[s.name] as (a: number, b: number, c: number, bias: number, scratch: number) => void;
        kernels[s.name] = (a, b, c, bias = 0, scratch = defaultScratch) => f(a, b, c, bias, scratch);
      }
      return kernels;
    },
  };
}
