import type { FunctionBuilder, Local } from "./function-builder.ts";

/**
 * Register-tile shapes of the generated kernels. x64 V8 gives Wasm 16 xmm registers
 * (one kept as scratch), so accumulators + operand registers must stay ≤ 15 or the
 * inner loop spills: nn/tn hold rows·vectors accumulators + vectors B + 1 A broadcast;
 * nt holds ntRows·ntCols accumulators + ntCols B + 1 A.
 */
export interface MatmulTuning {
  /** nn: rows of C per register tile. */
  readonly rows: number;
  /** nn: v128 columns (4 floats each) of C per register tile. */
  readonly vectors: number;
  /** tn: rows of C per register tile (A's tiles are packed, so few rows cost nothing in strided loads). */
  readonly tnRows: number;
  /** tn: v128 columns of C per register tile. */
  readonly tnVectors: number;
  /** nt: rows of C per tile (each accumulator is 4 partial dot products over k). */
  readonly ntRows: number;
  /** nt: columns of C per tile. */
  readonly ntCols: number;
  /** k steps per loop iteration (addresses of the unrolled steps are constant offsets). */
  readonly kUnroll: number;
  /** Use `f32x4.relaxed_madd` (fused multiply-add where the engine supports it). */
  readonly fma: boolean;
  /**
   * nn/tn loop nest: "columns" sweeps all row tiles under one K×4V panel of B;
   * "rows" sweeps all column panels beside one R×K strip of A.
   */
  readonly order: "columns" | "rows";
  /** Rows of C per cache block (rounded to whole register tiles); 0 = one block. */
  readonly rowBlock: number;
  /** nn/tn: k steps per cache block (the B panel then spans kBlock lines); 0 = one block. */
  readonly kBlock: number;
}

export const defaultTuning: MatmulTuning = {
  rows: 4,
  vectors: 2,
  tnRows: 2,
  tnVectors: 4,
  ntRows: 2,
  ntCols: 4,
  kUnroll: 1,
  fma: false,
  order: "columns",
  rowBlock: 128,
  kBlock: 256,
};

/** The register tile of the broadcast (nn/tn) kernels: `rows` rows × `vectors` v128 columns. */
export function broadcastTile(variant: "nn" | "tn", t: MatmulTuning): { rows: number; vectors: number } {
  return variant === "tn" ? { rows: t.tnRows, vectors: t.tnVectors } : { rows: t.rows, vectors: t.vectors };
}

/** acc += a·b on v128 locals (a fused multiply-add if `fma`). */
export function vecMulAdd(fn: FunctionBuilder, acc: Local, a: Local, b: Local, fma: boolean): void {
  if (fma) fn.get(a).get(b).get(acc).simd("f32x4.relaxed_madd").set(acc);
  else fn.get(acc).get(a).get(b).simd("f32x4.mul").simd("f32x4.add").set(acc);
}

/** `total` split into runs of equal pieces: ⌊total/size⌋ pieces of `size`, then the rest. */
export function runsOf(total: number, size: number): Array<{ count: number; size: number }> {
  return [
    { count: Math.floor(total / size), size },
    { count: total % size ? 1 : 0, size: total % size },
  ].filter((run) => run.count > 0);
}

/** `units` split into `count` runs as evenly as possible; the larger runs last (chunks of a split kernel). */
export function evenRuns(units: number, count: number): number[] {
  return Array.from({ length: count }, (_, p) => Math.floor(units / count) + (p >= count - (units % count) ? 1 : 0));
}

/** Rows per cache block: a whole number of `tileRows` tiles, at most m. */
export function blockRowsFor(m: number, tileRows: number, rowBlock: number): number {
  if (rowBlock <= 0 || rowBlock >= m) return m;
  return Math.max(tileRows, Math.floor(rowBlock / tileRows) * tileRows);
}
