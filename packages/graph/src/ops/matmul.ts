import type { DType } from "../dtype.ts";
import { defineOp, type OpParams } from "../op.ts";
import { broadcastShapes, numel, stridesOf, type Dim, type Shape } from "../shape.ts";
import type { CheckMatmul, MatmulShape } from "../shape-types.ts";
import { apply, type AnyTensor, type Tensor } from "../tensor.ts";
import { numeric } from "./rules.ts";
import { unbroadcast } from "./unbroadcast.ts";

type MatmulParams = OpParams["matmul"];

/** [batch, rows, inner, cols] of op(a)·op(b), where op transposes the last two axes when flagged. */
function operandDims(a: Shape, b: Shape, p: MatmulParams): { batchA: Shape; batchB: Shape; m: Dim; k: Dim; k2: Dim; n: Dim } | string {
  if (a.length < 2 || b.length < 2) return "matmul needs operands of rank >= 2 (reshape vectors to [1, n] or [n, 1])";
  const [a0, a1] = a.slice(-2);
  const [b0, b1] = b.slice(-2);
  const [m, k] = p.transA ? [a1, a0] : [a0, a1];
  const [k2, n] = p.transB ? [b1, b0] : [b0, b1];
  return { batchA: a.slice(0, -2), batchB: b.slice(0, -2), m, k, k2, n };
}

export const matmulOp = defineOp("matmul", {
  arity: 2,
  traits: ["contraction"],
  shape: ([a, b], p) => {
    const dims = operandDims(a, b, p);
    if (typeof dims === "string") return dims;
    if (dims.k !== dims.k2) return `inner dims differ: ${JSON.stringify(dims.k)} vs ${JSON.stringify(dims.k2)}`;
    const batch = broadcastShapes([dims.batchA, dims.batchB]);
    if (typeof batch === "string") return `batch ${batch}`;
    return [...batch, dims.m, dims.n];
  },
  dtype: numeric,
  evaluate: ([a, b], p, outShape) => {
    const [m, n] = outShape.slice(-2);
    const k = p.transA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
    const batchShape = outShape.slice(0, -2);
    const batches = numel(batchShape);
    const out = new Float64Array(batches * m * n);
    const batchOffset = (shape: readonly number[], bi: number) => {
      const own = shape.slice(0, -2);
      const strides = stridesOf(shape);
      let off = 0;
      let rem = bi;
      for (let i = batchShape.length - 1; i >= 0; i--) {
        const idx = rem % batchShape[i];
        rem = Math.floor(rem / batchShape[i]);
        const j = i - (batchShape.length - own.length);
        if (j >= 0 && own[j] !== 1) off += idx * strides[j];
      }
      return off;
    };
    const ac = a.shape[a.shape.length - 1];
    const bc = b.shape[b.shape.length - 1];
    for (let bi = 0; bi < batches; bi++) {
      const ao = batchOffset(a.shape, bi);
      const bo = batchOffset(b.shape, bi);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let t = 0; t < k; t++) {
            const av = a.data[ao + (p.transA ? t * ac + i : i * ac + t)];
            const bv = b.data[bo + (p.transB ? j * bc + t : t * bc + j)];
            s += av * bv;
          }
          out[bi * m * n + i * n + j] = s;
        }
      }
    }
    return out;
  },
  // C = op(A)·op(B): each case picks the flags so no transpose is materialised.
  vjp: ({ inputs: [a, b], grad: g, params: { transA, transB } }) => {
    const mm = (x: AnyTensor, y: AnyTensor, tx: boolean, ty: boolean) => matmulT(x, y, tx, ty);
    const da = transA ? mm(b, g, transB, true) : mm(g, b, false, !transB);
    const db = transB ? mm(g, a, true, transA) : mm(a, g, !transA, false);
    return [unbroadcast(da, a.shape), unbroadcast(db, b.shape)];
  },
});

/** op(a)·op(b) with explicit transpose flags: what the backward pass and the optimizer build. */
export function matmulT(a: AnyTensor, b: AnyTensor, transA: boolean, transB: boolean): AnyTensor {
  return apply(matmulOp, [a, b], { transA, transB });
}

/** Matrix product over the last two axes, broadcasting leading (batch) axes. */
export function matmul<A extends Shape, B extends Shape, D extends DType>(a: Tensor<A, D>, b: Tensor<B, NoInfer<D>> & CheckMatmul<A, B>): Tensor<MatmulShape<A, B>, D> {
  return matmulT(a, b, false, false) as never;
}
