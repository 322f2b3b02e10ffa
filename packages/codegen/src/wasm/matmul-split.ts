import type { ResolvedMatmul } from "./matmul-spec.ts";
import { broadcastLayout } from "./matmul-broadcast.ts";
import { blockRowsFor, broadcastTile, evenRuns, type MatmulTuning } from "./matmul-tuning.ts";

/**
 * One chunk of a matmul: a block of C's rows or of its columns, as an ordinary
 * kernel spec with a smaller M or N whose operands are the call's, shifted.
 */
export interface MatmulPart {
  readonly spec: ResolvedMatmul;
  /** Byte shifts added to the call's A, B, C and bias offsets. */
  readonly aShift: number;
  readonly bShift: number;
  readonly cShift: number;
  readonly biasShift: number;
}

/**
 * Splits C's rows into up to `parts` contiguous pieces of whole register tiles, as
 * even as possible (the partial edge tile in the last). Columns and k are not
 * split, so every element is computed by the same instruction sequence as in the
 * unsplit kernel: results are equal bit for bit.
 */
export function splitRows(s: ResolvedMatmul, parts: number, tuning: MatmulTuning): MatmulPart[] {
  // Whole tiles of the packed kernel (any cut gives the same bits: each element is summed alike by every tile).
  const tileRows = broadcastTile(s.variant === "tn" ? "tn" : "nn", tuning).rows;
  const tiles = Math.ceil(s.m / tileRows);
  const aRowBytes = 4 * (s.variant === "tn" ? 1 : s.lda);
  let row0 = 0;
  return evenRuns(tiles, Math.max(1, Math.min(parts, tiles))).map((tilesHere, p) => {
    const rows = Math.min(tilesHere * tileRows, s.m - row0);
    const part = { spec: { ...s, name: `${s.name}#${p}`, m: rows }, aShift: row0 * aRowBytes, bShift: 0, cShift: row0 * 4 * s.ldc, biasShift: 0 };
    row0 += rows;
    return part;
  });
}

/**
 * Splits C's columns into up to `parts` pieces of whole column panels (4·vectors
 * columns for nn/tn, ntCols for nt); the last piece keeps the N mod 4 edge, so each
 * column is computed by the same code (vector lane or scalar tail) as unsplit:
 * results are equal bit for bit. Each piece reads only its slice of B and the bias,
 * which is what makes this the better split when M is small.
 */
export function splitColumns(s: ResolvedMatmul, parts: number, tuning: MatmulTuning): MatmulPart[] {
  const panel = 4 * broadcastTile(s.variant === "tn" ? "tn" : "nn", tuning).vectors;
  const panels = Math.ceil(s.n / panel);
  const bColumnBytes = 4 * (s.variant === "nt" ? s.ldb : 1);
  let col0 = 0;
  return evenRuns(panels, Math.max(1, Math.min(parts, panels))).map((panelsHere, p) => {
    const cols = Math.min(panelsHere * panel, s.n - col0);
    const part = { spec: { ...s, name: `${s.name}#${p}`, n: cols }, aShift: 0, bShift: col0 * bColumnBytes, cShift: 4 * col0, biasShift: 4 * col0 };
    col0 += cols;
    return part;
  });
}

/**
 * Floats the chunks copy to scratch in all: each chunk packs op(B) once per row block
 * of its own rows (so row chunks smaller than a row block pack B more often than the
 * unsplit kernel), and a tn chunk packs its rows of op(A), once per column chunk.
 */
function packedFloats(parts: readonly MatmulPart[], tuning: MatmulTuning, pack: boolean): number {
  return parts.reduce((sum, { spec }) => {
    const layout = broadcastLayout(spec, tuning, pack);
    const rowBlocks = Math.ceil(spec.m / blockRowsFor(spec.m, layout.rows, tuning.rowBlock));
    return sum + (layout.packB ? rowBlocks * spec.k * spec.n : 0) + (layout.packA ? spec.m * spec.k : 0);
  }, 0);
}

/**
 * How the pool cuts a matmul for `threads` threads: rows when there are enough for
 * two chunks per thread (each keeping at least `minRows` rows so A blocks and packed
 * B panels are reused) and they pack no more than column chunks would, else columns
 * (two chunks per thread); up to 4 chunks per thread, claimed dynamically. `pack`:
 * whether the kernels get scratch to pack panels in. Returns a single part when the
 * matmul cannot be split usefully.
 */
export function planSplit(s: ResolvedMatmul, threads: number, tuning: MatmulTuning, pack = true, minRows = 64): MatmulPart[] {
  const maxChunks = 4 * threads;
  const rowChunks = Math.min(maxChunks, Math.floor(s.m / minRows));
  const columns = splitColumns(s, 2 * threads, tuning);
  // With few rows every row chunk would re-read (and re-pack) all of B, while a column
  // chunk reads only its slice: at M = 256, four row chunks pack a 1024×1024 B four
  // times where the unsplit kernel (row blocks of 128) packs it twice.
  if (rowChunks < 2 * threads) return columns;
  const rows = splitRows(s, rowChunks, tuning);
  return columns.length === 2 * threads && packedFloats(columns, tuning, pack) < packedFloats(rows, tuning, pack) ? columns : rows;
}
