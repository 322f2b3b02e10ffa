import { convFunctions, type ConvSpec } from "./conv-kernels.ts";
import { convModule } from "./conv-module.ts";
import { convCallSource, type WasmConvPlan } from "./conv-plan.ts";
import { poolFunctions, type PoolSpec } from "./conv-pool.ts";
import { resolveTuningFor, type BuildMatmulOptions } from "./matmul-kernels.ts";
import type { WasmMemory, WasmModule } from "./wasm-api.ts";

/** A conv's three passes, by byte offsets into the instance's memory. */
export interface ConvKernel {
  forward(x: number, w: number, y: number, bias?: number): void;
  inputGrad(g: number, w: number, dx: number): void;
  filterGrad(x: number, g: number, dw: number): void;
}

/** A pooling's two passes (`backward` zeroes dx, then adds into it; the average's ignores x). */
export interface PoolKernel {
  forward(x: number, y: number): void;
  backward(x: number, g: number, dx: number): void;
}

export interface WindowKernels<K> {
  readonly bytes: Uint8Array;
  /** Bytes of scratch (one image's cols) conv calls use, at `scratchOffset`. */
  readonly scratchBytes: number;
  module(shared: boolean): WasmModule;
  instantiate(memory: WasmMemory): Record<string, K>;
}

type Call = (wasm: Record<string, (...args: number[]) => void>, memory: WasmMemory, a: number, b: number, out: number, bias: number) => void;

/** The same JS a compiled step runs (convCallSource), as a function of the offsets. */
function caller(plan: WasmConvPlan, outFloats: number, scratch: number): Call {
  const lines = convCallSource(plan, {
    inputs: ["a", "b"],
    out: "out",
    scratch: String(scratch),
    bias: "bias",
    zeroOut: `new Float32Array(memory.buffer, out, ${outFloats}).fill(0);`,
  });
  return new Function("wasm", "memory", "a", "b", "out", "bias", lines.join("\n")) as Call;
}

/**
 * One module with every spec's conv kernels (im2col, col2im, matmuls; see
 * conv-kernels.ts); each instance's passes loop over images and groups in JS.
 */
export function buildConvKernels(specs: readonly ConvSpec[], options: BuildMatmulOptions & { readonly scratchOffset?: number } = {}): WindowKernels<ConvKernel> {
  const { functions, scratchBytes } = convFunctions(specs, resolveTuningFor(options));
  const { bytes, module, exportsFor } = convModule(functions, options.shared ?? false);
  const scratch = options.scratchOffset ?? 0;
  return {
    bytes,
    scratchBytes,
    module,
    instantiate(memory) {
      const exports = exportsFor(memory);
      return Object.fromEntries(
        specs.map((s) => {
          const plan = (pass: "forward" | "inputGrad" | "filterGrad") => ({ kind: "conv", pass, spec: s }) as const;
          const [fwd, dx, dw] = [
            caller(plan("forward"), 0, scratch),
            caller(plan("inputGrad"), s.n * s.h * s.w * s.c, scratch),
            caller(plan("filterGrad"), s.kh * s.kw * (s.c / (s.groups ?? 1)) * s.o, scratch),
          ];
          const kernel: ConvKernel = {
            forward: (x, w, y, bias = 0) => fwd(exports, memory, x, w, y, bias),
            inputGrad: (g, w, out) => dx(exports, memory, g, w, out, 0),
            filterGrad: (x, g, out) => dw(exports, memory, x, g, out, 0),
          };
          return [s.name, kernel];
        }),
      );
    },
  };
}

/** One module with a forward and a backward function per pooling spec (see conv-pool.ts). */
export function buildPoolKernels(specs: readonly PoolSpec[], options: { readonly shared?: boolean } = {}): WindowKernels<PoolKernel> {
  const { bytes, module, exportsFor } = convModule(poolFunctions(specs), options.shared ?? false);
  return {
    bytes,
    scratchBytes: 0,
    module,
    instantiate(memory) {
      const exports = exportsFor(memory);
      return Object.fromEntries(
        specs.map((s) => {
          const forward = caller({ kind: "pool", pass: "forward", spec: s }, 0, 0);
          const backward = caller({ kind: "pool", pass: "backward", spec: s }, s.n * s.h * s.w * s.c, 0);
          // The average's backward node has g as its only input: pass it first.
          const kernel: PoolKernel = {
            forward: (x, y) => forward(exports, memory, x, 0, y, 0),
            backward: (x, g, dx) => (s.kind === "max" ? backward(exports, memory, x, g, dx, 0) : backward(exports, memory, g, 0, dx, 0)),
          };
          return [s.name, kernel];
        }),
      );
    },
  };
}
