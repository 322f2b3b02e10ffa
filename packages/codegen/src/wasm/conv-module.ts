import type { FunctionBuilder, Local } from "./function-builder.ts";
import { buildModule } from "./module-builder.ts";
import { isSharedMemory, wasm, type WasmMemory, type WasmModule } from "./wasm-api.ts";

type Exports = Record<string, (...args: number[]) => void>;

/**
 * The module of the conv and pooling kernels: its bytes for the memory kind asked
 * for, compiled once per kind, and an instantiate that hands back the raw exports.
 */
export function convModule(functions: ReadonlyArray<{ name: string; fn: FunctionBuilder }>, shared: boolean) {
  const bytes = buildModule({ shared }, functions);
  const modules = new Map<boolean, WasmModule>();
  const module = (isShared: boolean): WasmModule => {
    let m = modules.get(isShared);
    if (!m) {
      m = new wasm.Module(isShared === shared ? bytes : buildModule({ shared: isShared }, functions));
      modules.set(isShared, m);
    }
    return m;
  };
  const exportsFor = (memory: WasmMemory): Exports => new wasm.Instance(module(isSharedMemory(memory)), { env: { memory } }).exports as Exports;
  return { bytes, module, exportsFor };
}

/** Counts `i` from 0 to n − 1 around `body` (n ≥ 1 known when generating). */
export function forRange(fn: FunctionBuilder, i: Local, n: number, body: () => void): void {
  fn.i32(0).set(i);
  fn.loop((start) => {
    body();
    fn.get(i).i32(1).core("i32.add").tee(i).i32(n).core("i32.lt_s").brIf(start);
  });
}
