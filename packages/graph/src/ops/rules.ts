/** Shape and dtype rules shared by op families. */
import type { DType } from "../dtype.ts";
import type { Value } from "../op.ts";
import { broadcastShapes, normalizeAxes, numel, stridesOf, type Dim, type Shape } from "../shape.ts";

export const elementwiseShape = (inputs: readonly Shape[]): Dim[] | string => broadcastShapes(inputs);

/** All operands share one dtype; `allowed` restricts which. */
export function sameDType(allowed: readonly DType[]) {
  return (inputs: readonly DType[]): DType | string => {
    const first = inputs[0];
    if (inputs.some((d) => d !== first)) return `dtypes differ (${inputs.join(", ")}); cast one operand first`;
    if (!allowed.includes(first)) return `expected ${allowed.join(" or ")}, got ${first}`;
    return first;
  };
}

export const floatOnly = sameDType(["float32"]);
export const numeric = sameDType(["float32", "int32"]);
export const anyDType = sameDType(["float32", "int32", "bool"]);

/** Reduction shape: the reduced axes dropped, or kept as 1. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): Dim[] {
  const out: Dim[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

export function checkedAxes(axes: number | readonly number[] | undefined, rank: number): number[] | string {
  try {
    return normalizeAxes(axes, rank);
  } catch (e) {
    return (e as Error).message;
  }
}

/** Elementwise evaluation with numpy broadcasting of every operand to `outShape`. */
export function broadcastEval(inputs: readonly Value[], outShape: readonly number[], f: (...args: number[]) => number): Float64Array {
  const n = numel(outShape);
  const out = new Float64Array(n);
  const rank = outShape.length;
  const strides = inputs.map((v) => {
    const own = stridesOf(v.shape);
    return outShape.map((_, i) => {
      const j = i - (rank - v.shape.length);
      return j < 0 || v.shape[j] === 1 ? 0 : own[j];
    });
  });
  const index = new Array<number>(rank).fill(0);
  const offsets = new Array<number>(inputs.length).fill(0);
  const args = new Array<number>(inputs.length);
  for (let k = 0; k < n; k++) {
    for (let a = 0; a < inputs.length; a++) args[a] = inputs[a].data[offsets[a]];
    out[k] = f(...args);
    for (let i = rank - 1; i >= 0; i--) {
      index[i]++;
      for (let a = 0; a < inputs.length; a++) offsets[a] += strides[a][i];
      if (index[i] < outShape[i]) break;
      for (let a = 0; a < inputs.length; a++) offsets[a] -= strides[a][i] * outShape[i];
      index[i] = 0;
    }
  }
  return out;
}

/**
 * Visits every output position of a reduction: `outer` positions, each with the list
 * of input offsets reduced into it. Used by the reference reductions only.
 */
export function forEachReduction(shape: readonly number[], axes: readonly number[], visit: (outIndex: number, offsets: number[]) => void): void {
  const strides = stridesOf(shape);
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptShape = kept.map((i) => shape[i]);
  const redShape = axes.map((i) => shape[i]);
  const inner: number[] = [];
  const redCount = numel(redShape);
  for (let r = 0; r < redCount; r++) {
    let rem = r;
    let off = 0;
    for (let j = axes.length - 1; j >= 0; j--) {
      off += (rem % redShape[j]) * strides[axes[j]];
      rem = Math.floor(rem / redShape[j]);
    }
    inner.push(off);
  }
  const outCount = numel(keptShape);
  const offsets = new Array<number>(redCount);
  for (let o = 0; o < outCount; o++) {
    let rem = o;
    let base = 0;
    for (let j = kept.length - 1; j >= 0; j--) {
      base += (rem % keptShape[j]) * strides[kept[j]];
      rem = Math.floor(rem / keptShape[j]);
    }
    for (let r = 0; r < redCount; r++) offsets[r] = base + inner[r];
    visit(o, offsets);
  }
}

/** Maps each output element's multi-index to an input offset: the reference for layout ops. */
export function gatherEval(outShape: readonly number[], sourceOffset: (index: readonly number[]) => number, source: Float64Array, fill = 0): Float64Array {
  const n = numel(outShape);
  const out = new Float64Array(n);
  const index = new Array<number>(outShape.length).fill(0);
  for (let k = 0; k < n; k++) {
    const off = sourceOffset(index);
    out[k] = off < 0 ? fill : source[off];
    for (let i = outShape.length - 1; i >= 0; i--) {
      if (++index[i] < outShape[i]) break;
      index[i] = 0;
    }
  }
  return out;
}
