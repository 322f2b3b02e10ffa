import { describe, expect, it } from "vitest";
import { peakModuleBytes } from "./peak.ts";

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

describe("the Wasm SIMD peak probe", () => {
  it("is a valid module whose result matches the same chains computed in f32 by hand", () => {
    const bytes = peakModuleBytes();
    expect(wasm.validate(bytes)).toBe(true);
    const peak = new wasm.Instance(new wasm.Module(bytes)).exports.peak as (n: number) => number;
    const f = Math.fround;
    const n = 5;
    let sum = 0;
    for (let k = 0; k < 12; k++) {
      let a = f(0.1 * (k + 1));
      for (let i = 0; i < n; i++) a = f(f(a * f(0.999999)) + f(1e-6));
      sum = k === 0 ? a : f(sum + a);
    }
    expect(peak(n)).toBe(sum);
  });
});
