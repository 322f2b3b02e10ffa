import { GraphError } from "@gradfold/graph";
import type { Kernel } from "./lower/kernel.ts";
import type { Backend } from "./spec.ts";
import type { WasmPlan } from "./js/wasm-plan.ts";
import type { WasmFeatures } from "./wasm/features.ts";

/** Where a kernel runs: all Wasm SIMD, all JS, or a Wasm matmul whose epilogue runs in JS. */
export type Placement = "wasm" | "js" | "wasm+js";

/** Each kernel's placement under a Wasm plan, in kernel order. */
export function placements(kernels: readonly Kernel[], wasm: WasmPlan): Placement[] {
  return kernels.map((k) => {
    const matmul = wasm.byKernel.get(k.id);
    if (matmul) return matmul.viaScratch && !wasm.elementwise.has(k.id) ? "wasm+js" : "wasm";
    return wasm.elementwise.has(k.id) ? "wasm" : "js";
  });
}

/**
 * `backend: "wasm"` is a promise that every kernel runs as Wasm SIMD: if the engine
 * lacks SIMD, or a kernel has no Wasm form, say so instead of quietly running JS.
 * ("auto" falls back; stats and each kernel's `runs` say what ran where.)
 */
export function checkBackend(backend: Backend, kernels: readonly Kernel[], places: readonly Placement[], features: WasmFeatures, what: string): void {
  if (backend !== "wasm") return;
  if (!features.simd) {
    throw new GraphError(`${what}: backend "wasm" needs WebAssembly SIMD, which this engine does not validate; use backend "auto" (JS where Wasm cannot run) or "js"`);
  }
  const notWasm = kernels.filter((_, i) => places[i] !== "wasm");
  if (notWasm.length === 0) return;
  const listed = notWasm.slice(0, 6).map((k, i) => `${k.kind} kernel of ${[...new Set(k.nodes.map((n) => n.op))].join(", ")}${places[kernels.indexOf(k)] === "wasm+js" ? " (its epilogue)" : ""}${i === 5 && notWasm.length > 6 ? ", ..." : ""}`);
  throw new GraphError(
    `${what}: backend "wasm": ${notWasm.length} of ${kernels.length} kernels have no Wasm SIMD form: ${listed.join("; ")}; use backend "auto" to run them in JS`,
  );
}
