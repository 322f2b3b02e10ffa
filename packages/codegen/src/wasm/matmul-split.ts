import type { ResolvedMatmul } from "./matmul-spec.ts";
import type { MatmulTuning } from "./matmul-tuning.ts";

/** One thread's share of a matmul: rows [row0, row0 + spec.m) of C. */
export interface RowPart {
  readonly spec: ResolvedMatmul;
  /** Added to the call's A and C byte offsets (B and the bias are shared). */
  readonly aShift: number;
  readonly cShift: number;
}

/**
 * Splits C's rows into `parts` contiguous pieces of whole register tiles, as even as
 * possible. Each piece is an ordinary kernel spec with a smaller M, its A and C
 * shifted, so every output element is computed by the same instruction sequence
 * (columns and k are never split) and the results equal the unsplit kernel's bit
 * for bit. Fewer parts come back when M is too small to give each a tile.
 */
export function splitRows(s: ResolvedMatmul, parts: number, tuning: MatmulTuning): RowPart[] {
  const tileRows = s.variant === "nt" ? tuning.ntRows : tuning.rows;
  const tiles = Math.ceil(s.m / tileRows);
  const count = Math.max(1, Math.min(parts, tiles));
  const out: RowPart[] = [];
  let row0 = 0;
  for (let p = 0; p < count; p++) {
    // Extra whole tiles go to the last parts, which also hold the partial edge tile.
    const tilesHere = Math.floor(tiles / count) + (p >= count - (tiles % count) ? 1 : 0);
    const rows = Math.min(tilesHere * tileRows, s.m - row0);
    const aRowBytes = 4 * (s.variant === "tn" ? 1 : s.lda);
    out.push({ spec: { ...s, name: `${s.name}#${p}`, m: rows }, aShift: row0 * aRowBytes, cShift: row0 * 4 * s.ldc });
    row0 += rows;
  }
  return out;
}
