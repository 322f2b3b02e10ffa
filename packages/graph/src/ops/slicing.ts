import type { DType } from "../dtype.ts";
import { opError } from "../errors.ts";
import { defineOp } from "../op.ts";
import { formatShape, stridesOf, type Dim, type Shape } from "../shape.ts";
import type { CheckConcatList, CheckRank, ConcatListShape, SliceShape } from "../shape-types.ts";
import { apply, type AnyTensor, type Tensor } from "../tensor.ts";
import { anyDType, checkedAxes, gatherEval } from "./rules.ts";

export const concatOp = defineOp("concat", {
  arity: -1,
  traits: ["layout"],
  shape: (inputs, p) => {
    if (inputs.length === 0) return "needs at least one operand";
    const first = inputs[0];
    let total = 0;
    for (const s of inputs) {
      if (s.length !== first.length) return "operands differ in rank";
      if (s.some((d, i) => i !== p.axis && d !== first[i])) return `operands must agree on every dim but axis ${p.axis}`;
      const d = s[p.axis];
      if (typeof d !== "number") return `cannot concatenate along symbolic dim ${JSON.stringify(d)}`;
      total += d;
    }
    return first.map((d, i) => (i === p.axis ? total : d));
  },
  dtype: anyDType,
  evaluate: (inputs, p, outShape) => {
    const out = new Float64Array(outShape.reduce((a, b) => a * b, 1));
    const outer = outShape.slice(0, p.axis).reduce((a, b) => a * b, 1);
    const inner = outShape.slice(p.axis + 1).reduce((a, b) => a * b, 1);
    const rowOut = outShape[p.axis] * inner;
    let offset = 0;
    for (const v of inputs) {
      const row = v.shape[p.axis] * inner;
      for (let o = 0; o < outer; o++) out.set(v.data.subarray(o * row, (o + 1) * row), o * rowOut + offset);
      offset += row;
    }
    return out;
  },
  vjp: ({ inputs, grad, params }) => {
    let begin = 0;
    return inputs.map((x) => {
      const starts = x.shape.map((_: Dim, i: number) => (i === params.axis ? begin : 0));
      begin += x.shape[params.axis] as number;
      return slice(grad, starts, x.shape);
    });
  },
});

export const sliceOp = defineOp("slice", {
  arity: 1,
  traits: ["layout"],
  shape: ([x], p) => {
    if (p.begin.length !== x.length || p.size.length !== x.length) return `begin and size need one entry per axis (rank ${x.length})`;
    for (let i = 0; i < x.length; i++) {
      const d = x[i];
      const [b, z] = [p.begin[i], p.size[i]];
      if (typeof d === "string" || typeof z === "string") {
        if (b !== 0 || z !== d) return `axis ${i} is symbolic (${JSON.stringify(d)}): only the whole axis can be taken`;
      } else if (!Number.isInteger(b) || b < 0 || !Number.isInteger(z) || z < 0 || b + z > d) {
        return `axis ${i}: [${b}, ${b}+${z}) is outside [0, ${d})`;
      }
    }
    return p.size;
  },
  dtype: anyDType,
  evaluate: ([x], p, outShape) => {
    const strides = stridesOf(x.shape);
    return gatherEval(outShape, (idx) => idx.reduce((off, v, i) => off + (v + p.begin[i]) * strides[i], 0), x.data);
  },
  vjp: ({ inputs: [x], grad, params }) => [
    pad(
      grad,
      params.begin,
      x.shape.map((d: Dim, i: number) => (typeof d === "number" ? d - params.begin[i] - (params.size[i] as number) : 0)),
    ),
  ],
});

/** Zero padding: `before[i]` and `after[i]` zeros around axis i. The transpose of slice. */
export const padOp = defineOp("pad", {
  arity: 1,
  traits: ["layout"],
  shape: ([x], p) => {
    if (p.before.length !== x.length || p.after.length !== x.length) return `before and after need one entry per axis (rank ${x.length})`;
    if ([...p.before, ...p.after].some((v) => !Number.isInteger(v) || v < 0)) return "padding must be non-negative integers";
    const symbolic = x.findIndex((d, i) => typeof d === "string" && (p.before[i] !== 0 || p.after[i] !== 0));
    if (symbolic >= 0) return `cannot pad symbolic axis ${symbolic}`;
    return x.map((d, i) => (typeof d === "number" ? p.before[i] + d + p.after[i] : d));
  },
  dtype: anyDType,
  evaluate: ([x], p, outShape) => {
    const strides = stridesOf(x.shape);
    return gatherEval(
      outShape,
      (idx) => {
        let off = 0;
        for (let i = 0; i < idx.length; i++) {
          const j = idx[i] - p.before[i];
          if (j < 0 || j >= x.shape[i]) return -1;
          off += j * strides[i];
        }
        return off;
      },
      x.data,
    );
  },
  vjp: ({ inputs: [x], grad, params }) => [slice(grad, params.before, x.shape)],
});

/** Joins tensors along `axis`; every other dim must agree. */
export function concat<const T extends readonly Tensor<Shape, DType>[], const A extends number = 0>(
  tensors: T & CheckConcatList<T, A>,
  axis: A = 0 as A,
): Tensor<ConcatListShape<T, A>, T[number]["dtype"]> {
  if (tensors.length === 0) throw opError("concat", "needs at least one operand", "none");
  const axes = checkedAxes(axis, tensors[0].rank);
  if (typeof axes === "string") throw opError("concat", axes, tensors.map((t) => formatShape(t.shape)).join(", "));
  if (tensors.length === 1) return tensors[0] as never;
  return apply(concatOp, tensors, { axis: axes[0] }) as never;
}

/** The block starting at `begin` with `size` per axis (-1: to the end of that axis). */
export function slice<S extends Shape, D extends DType, const B extends readonly number[], const Z extends readonly Dim[]>(
  x: Tensor<S, D>,
  begin: B & CheckRank<S, B>,
  size: Z & CheckRank<S, Z>,
): Tensor<SliceShape<S, Z>, D> {
  const resolved = size.map((z, i) => (z === -1 ? (typeof x.shape[i] === "number" ? (x.shape[i] as number) - begin[i] : x.shape[i]) : z));
  if (begin.every((b) => b === 0) && resolved.length === x.rank && resolved.every((z, i) => z === x.shape[i])) return x as never;
  return apply(sliceOp, [x], { begin: [...begin], size: resolved }) as never;
}

export function pad<S extends Shape, D extends DType>(x: Tensor<S, D>, before: readonly number[], after: readonly number[]): AnyTensor {
  if ([...before, ...after].every((v) => v === 0) && before.length === x.rank) return x;
  return apply(padOp, [x], { before: [...before], after: [...after] });
}
