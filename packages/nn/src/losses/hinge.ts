import { add, equal, GraphError, max, mul, oneHot, relu, square, sub, sum, where, type Shape, type Tensor } from "@gradfold/graph";
import { checkFloat, checkFloatPair, reduce, type FloatTensor, type Reduced, type Reduction, type ReductionOptions } from "./reduction.ts";

export interface HingeOptions<R extends Reduction = "mean"> extends ReductionOptions<R> {
  /** The margin m; default 1. */
  margin?: number;
}

function marginOf(what: string, margin: number | undefined): number {
  const m = margin ?? 1;
  if (!Number.isFinite(m) || m < 0) throw new GraphError(`${what}: margin must be a non-negative finite number, got ${margin}`);
  return m;
}

function binaryViolation(what: string, scores: FloatTensor, targets: FloatTensor, margin: number | undefined): FloatTensor {
  checkFloatPair(what, scores, targets, ["scores", "targets"]);
  return relu(sub(marginOf(what, margin), mul(scores, targets))) as FloatTensor;
}

/** Binary hinge loss for targets in {−1, +1}: max(0, m − t·s) per element (the SVM loss). */
export function hinge<R extends Reduction = "mean">(scores: FloatTensor, targets: FloatTensor, options: HingeOptions<R> = {}): Reduced<R> {
  return reduce(binaryViolation("hinge", scores, targets, options.margin), options.reduction, "hinge");
}

/** Squared hinge for targets in {−1, +1}: max(0, m − t·s)² per element; differentiable at the margin. */
export function squaredHinge<R extends Reduction = "mean">(scores: FloatTensor, targets: FloatTensor, options: HingeOptions<R> = {}): Reduced<R> {
  return reduce(square(binaryViolation("squaredHinge", scores, targets, options.margin)), options.reduction, "squaredHinge");
}

export interface MultiClassHingeOptions<R extends Reduction = "mean"> extends HingeOptions<R> {
  /**
   * "westonWatkins" (default; Weston & Watkins 1999, PyTorch's MultiMarginLoss):
   *   Σ_{j≠y} max(0, m − s_y + s_j) / C — every wrong class inside the margin costs.
   * "crammerSinger" (Crammer & Singer 2001): max(0, m − s_y + max_{j≠y} s_j) — only the
   *   strongest wrong class costs.
   */
  formulation?: "westonWatkins" | "crammerSinger";
  /** Square each violation (PyTorch's MultiMarginLoss with p = 2). */
  squared?: boolean;
}

/** Multi-class hinge loss of scores [..., C] against int32 labels [...], one loss per example. */
export function multiClassHinge<R extends Reduction = "mean">(scores: FloatTensor, labels: Tensor<Shape, "int32">, options: MultiClassHingeOptions<R> = {}): Reduced<R> {
  const what = "multiClassHinge";
  checkFloat(what, scores, "scores");
  if (labels.dtype !== "int32") throw new GraphError(`${what}: labels must be int32 class indices, got ${labels.dtype}`);
  const classes = scores.shape[scores.shape.length - 1];
  if (typeof classes !== "number" || scores.shape.length < 1) throw new GraphError(`${what}: scores need a concrete class axis last, got ${JSON.stringify(scores.shape)}`);
  const margin = marginOf(what, options.margin);
  const isLabel = oneHot(labels, classes);
  const isLabelMask = equal(isLabel, 1);
  const trueScore = sum(mul(scores, isLabel), -1, true);
  const formulation = options.formulation ?? "westonWatkins";
  const violate = (v: FloatTensor) => (options.squared ? square(v) : v);
  let losses: FloatTensor;
  if (formulation === "westonWatkins") {
    // The j = y term is masked out rather than subtracted, so its gradient is exactly zero.
    const perClass = where(isLabelMask, 0, violate(relu(sub(add(scores, margin), trueScore)) as FloatTensor));
    losses = mul(sum(perClass, -1), 1 / classes) as FloatTensor;
  } else if (formulation === "crammerSinger") {
    const rival = max(where(isLabelMask, Number.NEGATIVE_INFINITY, scores), -1, true);
    losses = sum(violate(relu(sub(add(rival, margin), trueScore)) as FloatTensor), -1) as FloatTensor;
  } else {
    throw new GraphError(`${what}: formulation must be "westonWatkins" or "crammerSinger", got ${JSON.stringify(formulation)}`);
  }
  return reduce(losses, options.reduction, what);
}
