import { FunctionBuilder } from "./function-builder.ts";
import { buildModule } from "./module-builder.ts";
import { wasm } from "./wasm-api.ts";

/** A module with one function `(v128, v128, v128) -> v128` applying `instr`. */
function probe(instr: "f32x4.relaxed_madd" | "f32x4.add"): Uint8Array {
  const fn = new FunctionBuilder(["v128", "v128", "v128"], ["v128"]);
  fn.get(fn.param(0)).get(fn.param(1));
  if (instr === "f32x4.relaxed_madd") fn.get(fn.param(2));
  fn.simd(instr);
  return buildModule({ shared: false }, [{ name: "probe", fn }]);
}

/** Wasm features a module may use: 128-bit SIMD, and relaxed SIMD (fused multiply-add). */
export interface WasmFeatures {
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
}

/**
 * What emit() targets by default: baseline SIMD, which every engine with Wasm SIMD
 * validates (Node 20 without flags included); an emitted module checks at createStep().
 */
export const portableFeatures: WasmFeatures = { simd: true, relaxedSimd: false };

let cached: WasmFeatures | undefined;

/**
 * What this engine validates without flags. Node 20 (V8 11.3) accepts 128-bit SIMD
 * but not relaxed SIMD, so `relaxed_madd` (a fused multiply-add) is used only where
 * this says so, with separate mul + add as the fallback.
 */
export function wasmFeatures(): WasmFeatures {
  cached ??= {
    simd: wasm.validate(probe("f32x4.add")),
    relaxedSimd: wasm.validate(probe("f32x4.relaxed_madd")),
  };
  return cached;
}
