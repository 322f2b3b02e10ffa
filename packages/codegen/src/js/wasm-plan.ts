import type { AnyTensor } from "@gradfold/graph";
import type { Kernel } from "../lower/kernel.ts";
import type { BoundShapes } from "../lower/shapes.ts";
import { buildMatmulKernels, buildModule, wasmFeatures, type MatmulSpec, type MatmulVariant, type WasmFeatures } from "../wasm/index.ts";
import { buildWasmElementwise, planWasmElementwise, type WasmElementwisePlan } from "./wasm-elementwise.ts";
import { matmulDims } from "./matmul.ts";

/** A matmul kernel the Wasm SIMD backend computes: its export name and where op(A)·op(B) lands. */
export interface WasmMatmulPlan {
  readonly exportName: string;
  readonly spec: MatmulSpec;
  /** True when an epilogue follows in JS, reading the product from the scratch buffer. */
  readonly viaScratch: boolean;
}

export interface WasmPlan {
  readonly byKernel: ReadonlyMap<number, WasmMatmulPlan>;
  /** Elementwise chains (matmul epilogues and elementwise kernels) done in Wasm, by kernel id. */
  readonly elementwise: ReadonlyMap<number, WasmElementwisePlan>;
  /** Modules to instantiate over the arena: the matmuls, then the elementwise loops (empty when all is JS). */
  readonly modules: readonly Uint8Array[];
  /** f32 elements of scratch the epilogues need (the largest product). */
  readonly scratchLength: number;
  /** Bytes the matmul kernels may use to pack panels of B (their fifth argument), 0 when they read B in place. */
  readonly packBytes: number;
}

/** The plan of a step whose kernels are all JS. */
export const noWasm: WasmPlan = { byKernel: new Map(), elementwise: new Map(), modules: [], scratchLength: 0, packBytes: 0 };

/**
 * Chooses what runs as Wasm SIMD, where this engine validates SIMD at all: matmuls
 * that are unbatched and nn/tn/nt (AᵀBᵀ stays in JS) — the product goes straight into
 * the matmul's buffer without an epilogue, else into scratch for the epilogue — and
 * elementwise chains (epilogues and elementwise kernels) that planWasmElementwise takes.
 */
export function planWasm(
  kernels: readonly Kernel[],
  shapes: BoundShapes,
  stored: ReadonlySet<AnyTensor>,
  shared = false,
  // The engine that will run the modules: this one for compile(), baseline SIMD for emit().
  features: WasmFeatures = wasmFeatures(),
): WasmPlan {
  const byKernel = new Map<number, WasmMatmulPlan>();
  const elementwise = new Map<number, WasmElementwisePlan>();
  if (!features.simd) return noWasm;
  let scratchLength = 0;
  for (const k of kernels) {
    if (k.kind === "elementwise") {
      const plan = planWasmElementwise(`e${k.id}`, k.nodes, null, k.shape, shapes, stored);
      if (plan) elementwise.set(k.id, plan);
      continue;
    }
    if (k.kind !== "matmul") continue;
    const mk = k;
    const d = matmulDims(mk.matmul, (t) => shapes.of(t));
    if (d.batch.reduce((a, b) => a * b, 1) !== 1 || (d.transA && d.transB)) continue;
    const variant: MatmulVariant = d.transA ? "tn" : d.transB ? "nt" : "nn";
    const exportName = `k${mk.id}`;
    const viaScratch = mk.epilogue.length > 0;
    if (!viaScratch && !stored.has(mk.matmul)) continue;
    if (viaScratch) scratchLength = Math.max(scratchLength, d.m * d.n);
    byKernel.set(mk.id, { exportName, spec: { name: exportName, variant, m: d.m, k: d.k, n: d.n }, viaScratch });
    // The SIMD epilogue stores epilogue nodes only; a product needed elsewhere keeps the JS pass.
    if (viaScratch && !stored.has(mk.matmul)) {
      const plan = planWasmElementwise(`e${mk.id}`, mk.epilogue, mk.matmul, [d.m, d.n], shapes, stored);
      if (plan) elementwise.set(mk.id, plan);
    }
  }
  const modules: Uint8Array[] = [];
  let packBytes = 0;
  if (byKernel.size > 0) {
    // With a scratch offset the nn/tn kernels pack B panels (faster); the offset is
    // passed on every call, so the one given here only switches packing on.
    const built = buildMatmulKernels([...byKernel.values()].map((p) => p.spec), { scratchOffset: 0, shared, relaxedSimd: features.relaxedSimd });
    packBytes = built.scratchBytes;
    modules.push(built.bytes);
  }
  if (elementwise.size > 0) {
    const functions = [...elementwise.values()].map((p) => ({ name: p.exportName, fn: buildWasmElementwise(p, shapes) }));
    modules.push(buildModule({ shared }, functions));
  }
  return { byKernel, elementwise, modules, scratchLength, packBytes };
}
