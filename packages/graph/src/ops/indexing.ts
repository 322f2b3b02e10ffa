import type { DType } from "../dtype.ts";
import { GraphError, opError } from "../errors.ts";
import { defineOp } from "../op.ts";
import { formatShape, numel, type Dim, type Shape } from "../shape.ts";
import type { CheckAxes, GatherShape } from "../shape-types.ts";
import { apply, type Tensor } from "../tensor.ts";
import { checkedAxes } from "./rules.ts";

/** [outer, axisSize, inner] of a value around `axis`. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  return [numel(shape.slice(0, axis)), shape[axis], numel(shape.slice(axis + 1))];
}

/** An index as an offset along an axis of `size`; out of range is the caller's bug, so it is an error, not a NaN. */
function checkIndex(op: string, i: number, size: number): number {
  if (!Number.isInteger(i) || i < 0 || i >= size) throw new GraphError(`${op}: index ${i} is out of range [0, ${size})`);
  return i;
}

/** Takes slices of `x` along `axis` at int32 `indices`: the axis is replaced by the indices' shape. */
export const gatherOp = defineOp("gather", {
  arity: 2,
  traits: [],
  shape: ([x, idx], p) => (p.axis < x.length ? [...x.slice(0, p.axis), ...idx, ...x.slice(p.axis + 1)] : `axis ${p.axis} out of range`),
  dtype: ([x, i]) => (i !== "int32" ? `indices must be int32, got ${i}` : x),
  evaluate: ([x, idx], p, outShape) => {
    const [outer, size, inner] = around(x.shape, p.axis);
    const out = new Float64Array(numel(outShape));
    const n = idx.data.length;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < n; k++) {
        const i = checkIndex("gather", idx.data[k], size);
        for (let j = 0; j < inner; j++) out[(o * n + k) * inner + j] = x.data[(o * size + i) * inner + j];
      }
    }
    return out;
  },
  vjp: ({ inputs: [x, idx], grad, params }) => [scatterAdd(grad, idx, params.axis, x.shape[params.axis]), null],
});

/** The transpose of gather: sums slices of `updates` into a zero tensor of `size` along `axis`. */
export const scatterAddOp = defineOp("scatterAdd", {
  arity: 2,
  traits: [],
  shape: ([u, idx], p) => {
    if (!Number.isInteger(p.axis) || p.axis < 0 || p.axis + idx.length > u.length) {
      return `axis ${p.axis} does not fit updates of rank ${u.length} with indices of rank ${idx.length}`;
    }
    if (typeof p.size === "number" && !(Number.isInteger(p.size) && p.size >= 0)) return `size must be a non-negative integer, got ${p.size}`;
    const head = u.slice(0, p.axis);
    const mid = u.slice(p.axis, p.axis + idx.length);
    if (mid.length !== idx.length || mid.some((d, i) => d !== idx[i])) return `updates must hold the indices' shape ${formatShape(idx)} at axis ${p.axis}`;
    return [...head, p.size, ...u.slice(p.axis + idx.length)];
  },
  dtype: ([u, i]) => (i !== "int32" ? `indices must be int32, got ${i}` : u),
  evaluate: ([u, idx], p, outShape) => {
    const [outer, size, inner] = around(outShape, p.axis);
    const out = new Float64Array(numel(outShape));
    const n = idx.data.length;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < n; k++) {
        const i = checkIndex("scatterAdd", idx.data[k], size);
        for (let j = 0; j < inner; j++) out[(o * size + i) * inner + j] += u.data[(o * n + k) * inner + j];
      }
    }
    return out;
  },
  vjp: ({ inputs: [, idx], grad, params }) => [gather(grad, idx, params.axis), null],
});

/** float32 [..., depth] with a 1 at each index; an index outside [0, depth) gives a row of zeros (as tf.one_hot). */
export const oneHotOp = defineOp("oneHot", {
  arity: 1,
  traits: ["nondifferentiable"],
  shape: ([x], p) => (Number.isInteger(p.depth) && p.depth > 0 ? [...x, p.depth] : `depth must be a positive integer, got ${p.depth}`),
  dtype: ([x]) => (x === "int32" ? "float32" : `indices must be int32, got ${x}`),
  evaluate: ([x], p) => {
    const out = new Float64Array(x.data.length * p.depth);
    x.data.forEach((v, k) => {
      if (Number.isInteger(v) && v >= 0 && v < p.depth) out[k * p.depth + v] = 1;
    });
    return out;
  },
  vjp: () => [null],
});

/** Slices of `x` along `axis` at int32 `indices`: the axis is replaced by the indices' shape. */
export function gather<S extends Shape, I extends Shape, D extends DType, const A extends number = 0>(
  x: Tensor<S, D>,
  indices: Tensor<I, "int32">,
  axis?: A & CheckAxes<S, A>,
): Tensor<GatherShape<S, I, A>, D> {
  const axes = checkedAxes((axis as number | undefined) ?? 0, x.rank);
  if (typeof axes === "string") throw opError("gather", axes, formatShape(x.shape));
  return apply(gatherOp, [x, indices], { axis: axes[0] }) as never;
}

export function scatterAdd<D extends DType>(updates: Tensor<Shape, D>, indices: Tensor<Shape, "int32">, axis: number, size: Dim): Tensor<Shape, D> {
  return apply(scatterAddOp, [updates, indices], { axis, size }) as never;
}

export function oneHot<S extends Shape, const N extends number>(indices: Tensor<S, "int32">, depth: N): Tensor<[...S, N], "float32"> {
  return apply(oneHotOp, [indices], { depth }) as never;
}
