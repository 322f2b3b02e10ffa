import { GraphError } from "@gradfold/graph";
import type { Kernel } from "./lower/kernel.ts";
import type { Backend } from "./spec.ts";
import type { WasmFeatures } from "./wasm/features.ts";

/** Where a kernel runs: all Wasm SIMD, all JS, or a Wasm matmul whose epilogue runs in JS. */
export type Placement = "wasm" | "js" | "wasm+js";

/**
 * Each kernel's placement, in kernel order: the backend that wrote it, and for a Wasm
 * kernel whether part of it (a matmul's epilogue the Wasm loop cannot take) is JS.
 */
export function placements(kernels: readonly Kernel[], backends: ReadonlyArray<"js" | "wasm">, jsEpilogues: ReadonlySet<number>): Placement[] {
  return kernels.map((k, i) => (backends[i] === "js" ? "js" : jsEpilogues.has(k.id) ? "wasm+js" : "wasm"));
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
  const listed = notWasm
    .slice(0, 6)
    .map(
      (k, i) =>
        `${k.kind} kernel of ${[...new Set(k.nodes.map((n) => n.op))].join(", ")}${places[kernels.indexOf(k)] === "wasm+js" ? " (its epilogue)" : ""}${i === 5 && notWasm.length > 6 ? ", ..." : ""}`,
    );
  throw new GraphError(
    `${what}: backend "wasm": ${notWasm.length} of ${kernels.length} kernels have no Wasm SIMD form: ${listed.join("; ")}; use backend "auto" to run them in JS`,
  );
}
