import type { SourceBuilder } from "./builder.ts";

/** One axis of a loop nest: its trip count and, per operand, the element stride along it. */
export interface NestDim {
  readonly size: number;
  readonly strides: readonly number[];
}

/**
 * Drops size-1 axes and merges neighbours that every operand walks contiguously
 * (stride[i] = stride[i+1]·size[i+1]), so a same-shape loop becomes one flat loop.
 */
export function mergeNest(dims: readonly NestDim[]): NestDim[] {
  const out: NestDim[] = [];
  for (const d of dims) {
    if (d.size === 1) continue;
    const prev = out[out.length - 1];
    if (prev?.strides.every((s, k) => s === d.strides[k] * d.size)) {
      out[out.length - 1] = { size: prev.size * d.size, strides: d.strides };
    } else out.push(d);
  }
  return out;
}

/** `i0 * s0 + i1 * s1 + base` for one operand, leaving out zero terms. */
export function offsetExpr(vars: readonly string[], dims: readonly NestDim[], operand: number, base = 0): string {
  const terms: string[] = [];
  dims.forEach((d, i) => {
    const s = d.strides[operand];
    if (s === 0) return;
    terms.push(s === 1 ? vars[i] : `${vars[i]} * ${s}`);
  });
  if (base !== 0 || terms.length === 0) terms.push(String(base));
  return terms.join(" + ");
}

/** Opens `for` loops over `dims` with index variables `prefix0, prefix1, ...`; returns the names. */
export function openLoops(b: SourceBuilder, dims: readonly NestDim[], prefix: string): string[] {
  return dims.map((d, i) => {
    const v = `${prefix}${i}`;
    b.open(`for (let ${v} = 0; ${v} < ${d.size}; ${v}++)`);
    return v;
  });
}
