import type { DType } from "../dtype.ts";
import { GraphError, opError } from "../errors.ts";
import { defineOp, type OpParams, type Value } from "../op.ts";
import { formatShape, type Shape } from "../shape.ts";
import type { CheckAxes, LabelShape, ReduceShape } from "../shape-types.ts";
import { apply, type AnyTensor, type Tensor } from "../tensor.ts";
import { mul, sub } from "./binary.ts";
import { oneHot } from "./indexing.ts";
import { reshape } from "./layout.ts";
import { expandReduced, reduceParams, sum } from "./reduce.ts";
import { checkedAxes, floatOnly, forEachReduction, reducedShape } from "./rules.ts";
import { exp } from "./unary-math.ts";

type Axis = number | readonly number[] | undefined;

function logsumexpOf(data: Float64Array, offsets: readonly number[]): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const off of offsets) m = Math.max(m, data[off]);
  if (!Number.isFinite(m)) return m; // all -inf, some +inf, or NaN: the max says it all
  let s = 0;
  for (const off of offsets) s += Math.exp(data[off] - m);
  return m + Math.log(s);
}

/** log Σ exp(x) with the max subtracted first, so it neither overflows nor underflows. */
export const logsumexpOp = defineOp("logsumexp", {
  arity: 1,
  traits: ["reduction"],
  shape: ([x], p) => reducedShape(x, p.axes, p.keepdims),
  dtype: floatOnly,
  evaluate: ([x], p, outShape) => {
    const out = new Float64Array(outShape.reduce((a, b) => a * b, 1));
    forEachReduction(x.shape, p.axes, (o, offsets) => {
      out[o] = logsumexpOf(x.data, offsets);
    });
    return out;
  },
  // d lse = softmax(x) dx
  vjp: ({ inputs: [x], out, grad, params }) => [mul(expandReduced(grad, x.shape, params), exp(sub(x, expandReduced(out, x.shape, params))))],
});

/** Applies `f(x, lse)` along one axis: the shared reference for softmax and logSoftmax. */
function alongAxis(x: Value, axis: number, f: (v: number, lse: number) => number): Float64Array {
  const out = new Float64Array(x.data.length);
  forEachReduction(x.shape, [axis], (_, offsets) => {
    const lse = logsumexpOf(x.data, offsets);
    for (const off of offsets) out[off] = f(x.data[off], lse);
  });
  return out;
}

const axisShape = ([x]: readonly Shape[], p: OpParams["softmax"]) => (p.axis >= 0 && p.axis < x.length ? x : `axis ${p.axis} out of range`);

// dy = y ⊙ (g − Σ g⊙y)
export const softmaxOp = defineOp("softmax", {
  arity: 1,
  traits: [],
  shape: axisShape,
  dtype: floatOnly,
  evaluate: ([x], p) => alongAxis(x, p.axis, (v, lse) => Math.exp(v - lse)),
  vjp: ({ out, grad, params }) => [mul(out, sub(grad, sum(mul(grad, out), [params.axis], true)))],
});

// dy = g − softmax(x) Σ g
export const logSoftmaxOp = defineOp("logSoftmax", {
  arity: 1,
  traits: [],
  shape: axisShape,
  dtype: floatOnly,
  evaluate: ([x], p) => alongAxis(x, p.axis, (v, lse) => v - lse),
  vjp: ({ out, grad, params }) => [sub(grad, mul(exp(out), sum(grad, [params.axis], true)))],
});

/**
 * Softmax cross-entropy of logits [..., C] against int32 labels [...], per example:
 * logsumexp(x) − x[label]. Its cotangent is (softmax(x) − onehot(label))·g, the fused
 * form the optimizer's stabilize phase rewrites naive log-softmax losses into.
 */
export const softmaxCrossEntropyOp = defineOp("softmaxCrossEntropy", {
  arity: 2,
  traits: [],
  shape: ([logits, labels]) => {
    if (logits.length < 1) return "logits need a class axis";
    const batch = logits.slice(0, -1);
    if (labels.length !== batch.length || labels.some((d, i) => d !== batch[i])) {
      return `labels must have shape ${formatShape(batch)} (logits without the class axis)`;
    }
    return batch;
  },
  dtype: ([l, y]) => (l !== "float32" ? `logits must be float32, got ${l}` : y !== "int32" ? `labels must be int32, got ${y}` : "float32"),
  evaluate: ([x, y]) => {
    const classes = x.shape[x.shape.length - 1];
    const out = new Float64Array(y.data.length);
    forEachReduction(x.shape, [x.shape.length - 1], (o, offsets) => {
      const label = y.data[o];
      if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
        throw new GraphError(`softmaxCrossEntropy: label ${label} is out of range [0, ${classes})`);
      }
      out[o] = logsumexpOf(x.data, offsets) - x.data[offsets[label]];
    });
    return out;
  },
  vjp: ({ inputs: [logits, labels], grad }) => {
    const classes = logits.shape[logits.rank - 1];
    if (typeof classes !== "number") throw new GraphError("softmaxCrossEntropy: the class axis must have a concrete size");
    const g = reshape(grad, [...grad.shape, 1]);
    return [mul(g, sub(softmax(logits, -1), oneHot(labels, classes))), null];
  },
});

function axisOf(x: AnyTensor, op: string, axis: number | undefined): number {
  const axes = checkedAxes(axis ?? -1, x.rank);
  if (typeof axes === "string") throw opError(op, axes, formatShape(x.shape));
  return axes[0];
}

export function logsumexp<S extends Shape, D extends DType, const A extends Axis = undefined, K extends boolean = false>(
  x: Tensor<S, D>,
  axis?: A & CheckAxes<S, A>,
  keepdims?: K,
): Tensor<ReduceShape<S, A, K>, D> {
  return apply(logsumexpOp, [x], reduceParams(x, "logsumexp", axis as Axis, keepdims)) as never;
}

/** exp(x − logsumexp(x)) along `axis` (default the last). */
export const softmax = <S extends Shape, D extends DType, const A extends number = -1>(x: Tensor<S, D>, axis?: A & CheckAxes<S, A>): Tensor<S, D> =>
  apply(softmaxOp, [x], { axis: axisOf(x, "softmax", axis as number | undefined) }) as never;

/** x − logsumexp(x) along `axis` (default the last), computed stably. */
export const logSoftmax = <S extends Shape, D extends DType, const A extends number = -1>(x: Tensor<S, D>, axis?: A & CheckAxes<S, A>): Tensor<S, D> =>
  apply(logSoftmaxOp, [x], { axis: axisOf(x, "logSoftmax", axis as number | undefined) }) as never;

/** Per-example softmax cross-entropy: logits [..., C], int32 labels [...] → [...]. */
export function softmaxCrossEntropy<L extends Shape>(logits: Tensor<L, "float32">, labels: Tensor<LabelShape<L>, "int32">): Tensor<LabelShape<L>, "float32"> {
  return apply(softmaxCrossEntropyOp, [logits, labels], {}) as never;
}
