import { columnSumFunction, type ColumnSumSpec } from "./column-sum.ts";
import { rowReduceFunction, type RowReduceSpec } from "./row-reduce.ts";
import { elementwiseFunction, type ElementwiseKernel, type ElementwiseSpec } from "./elementwise-kernels.ts";
import type { FunctionBuilder } from "./function-builder.ts";
import { matmulFunction, resolveTuningFor, type BuildMatmulOptions, type MatmulKernel } from "./matmul-kernels.ts";
import { resolveMatmul, type MatmulSpec } from "./matmul-spec.ts";
import { buildModule } from "./module-builder.ts";
import { isSharedMemory, wasm, type WasmMemory, type WasmModule } from "./wasm-api.ts";

export interface SimdKernelSpecs {
  readonly matmuls?: readonly MatmulSpec[];
  readonly elementwise?: readonly ElementwiseSpec[];
  readonly columnSums?: readonly ColumnSumSpec[];
  readonly rowReductions?: readonly RowReduceSpec[];
}

export interface SimdKernelInstance {
  readonly matmuls: Record<string, MatmulKernel>;
  readonly elementwise: Record<string, ElementwiseKernel>;
  /** `(outOffset, inOffset)`. */
  readonly columnSums: Record<string, (outOffset: number, inOffset: number) => void>;
  /** `(outOffset, inOffset)`. */
  readonly rowReductions: Record<string, (outOffset: number, inOffset: number) => void>;
}

export interface SimdKernels {
  readonly bytes: Uint8Array;
  module(shared: boolean): WasmModule;
  instantiate(memory: WasmMemory): SimdKernelInstance;
}

/**
 * One module holding every kind of kernel a compiled step needs (names must be
 * unique across kinds): a single compile and instantiate per step.
 */
export function buildSimdKernels(specs: SimdKernelSpecs, options: BuildMatmulOptions = {}): SimdKernels {
  const tuning = resolveTuningFor(options);
  const matmuls = (specs.matmuls ?? []).map(resolveMatmul);
  const functions: Array<{ name: string; fn: FunctionBuilder }> = [
    ...matmuls.map((s) => ({ name: s.name, fn: matmulFunction(s, tuning, options.scratchOffset !== undefined) })),
    ...(specs.elementwise ?? []).map((s) => ({ name: s.name, fn: elementwiseFunction(s) })),
    ...(specs.columnSums ?? []).map((s) => ({ name: s.name, fn: columnSumFunction(s) })),
    ...(specs.rowReductions ?? []).map((s) => ({ name: s.name, fn: rowReduceFunction(s) })),
  ];
  const shared = options.shared ?? false;
  const bytes = buildModule({ shared }, functions);
  const modules = new Map<boolean, WasmModule>();
  const module = (isShared: boolean) => {
    let m = modules.get(isShared);
    if (!m) {
      m = new wasm.Module(isShared === shared ? bytes : buildModule({ shared: isShared }, functions));
      modules.set(isShared, m);
    }
    return m;
  };
  return {
    bytes,
    module,
    instantiate(memory) {
      const instance = new wasm.Instance(module(isSharedMemory(memory)), { env: { memory } });
      const pick = <F>(names: readonly { name: string }[]) =>
        Object.fromEntries(names.map((s) => [s.name, instance.exports[s.name] as F])) as Record<string, F>;
      const rawMatmuls = pick<(a: number, b: number, c: number, bias: number, scratch: number) => void>(matmuls);
      const defaultScratch = options.scratchOffset ?? 0;
      return {
        matmuls: Object.fromEntries(matmuls.map((s) => [s.name, ((a, b, c, bias = 0, scratch = defaultScratch) => rawMatmuls[s.name](a, b, c, bias, scratch)) as MatmulKernel])),
        elementwise: pick<ElementwiseKernel>(specs.elementwise ?? []),
        columnSums: pick<(outOffset: number, inOffset: number) => void>(specs.columnSums ?? []),
        rowReductions: pick<(outOffset: number, inOffset: number) => void>(specs.rowReductions ?? []),
      };
    },
  };
}
