import type { AnyTensor } from "@gradfold/graph";
import type { MatmulKernel } from "../lower/kernel.ts";
import type { BoundShapes } from "../lower/shapes.ts";
import { buildMatmulKernels, wasmFeatures, type MatmulSpec, type MatmulVariant } from "../wasm/index.ts";
import { matmulDims } from "./matmul.ts";

/** A matmul kernel the Wasm SIMD backend computes: its export name and where op(A)·op(B) lands. */
export interface WasmMatmulPlan {
  readonly exportName: string;
  readonly spec: MatmulSpec;
  /** True when an epilogue follows in JS, reading the product from the scratch buffer. */
  readonly viaScratch: boolean;
}

export interface WasmMatmuls {
  readonly byKernel: ReadonlyMap<number, WasmMatmulPlan>;
  /** Module bytes with one function per planned kernel, or null when none. */
  readonly bytes: Uint8Array | null;
  /** f32 elements of scratch the epilogues need (the largest product). */
  readonly scratchLength: number;
}

/**
 * Chooses the matmul kernels that get a Wasm SIMD kernel: unbatched, one of the
 * variants nn/tn/nt (AᵀBᵀ stays in JS), and only where this engine validates SIMD.
 * The product goes straight into the matmul's buffer without an epilogue, else into
 * a scratch buffer the JS epilogue then reads element by element.
 */
export function planWasmMatmuls(kernels: readonly { id: number; kind: string }[], shapes: BoundShapes, stored: ReadonlySet<AnyTensor>): WasmMatmuls {
  const byKernel = new Map<number, WasmMatmulPlan>();
  if (!wasmFeatures().simd) return { byKernel, bytes: null, scratchLength: 0 };
  let scratchLength = 0;
  for (const k of kernels as readonly (MatmulKernel | { id: number; kind: "other" })[]) {
    if (k.kind !== "matmul") continue;
    const mk = k as MatmulKernel;
    const d = matmulDims(mk.matmul, (t) => shapes.of(t));
    if (d.batch.reduce((a, b) => a * b, 1) !== 1 || (d.transA && d.transB)) continue;
    const variant: MatmulVariant = d.transA ? "tn" : d.transB ? "nt" : "nn";
    const exportName = `k${mk.id}`;
    const viaScratch = mk.epilogue.length > 0;
    if (!viaScratch && !stored.has(mk.matmul)) continue;
    if (viaScratch) scratchLength = Math.max(scratchLength, d.m * d.n);
    byKernel.set(mk.id, { exportName, spec: { name: exportName, variant, m: d.m, k: d.k, n: d.n }, viaScratch });
  }
  if (byKernel.size === 0) return { byKernel, bytes: null, scratchLength: 0 };
  const bytes = buildMatmulKernels([...byKernel.values()].map((p) => p.spec)).bytes;
  return { byKernel, bytes, scratchLength };
}
