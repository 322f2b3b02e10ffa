import { add, constant, div, GraphError, logSoftmax, logsumexp, mean, mul, oneHot, softmaxCrossEntropy, sub, sum, type Shape, type Tensor } from "@gradfold/graph";
import { checkFloat, reduce, type FloatTensor, type Reduced, type Reduction, type ReductionOptions } from "./reduction.ts";

export interface CrossEntropyOptions<R extends Reduction = "mean"> extends ReductionOptions<R> {
  /**
   * Label smoothing ε ∈ [0, 1) (Szegedy et al. 2016): the target becomes (1 − ε)·target + ε/C,
   * as PyTorch's CrossEntropyLoss(label_smoothing=ε).
   */
  labelSmoothing?: number;
}

export interface LabelCrossEntropyOptions<R extends Reduction = "mean"> extends CrossEntropyOptions<R> {
  /**
   * A weight per class (PyTorch's `weight`), for imbalanced classes: example i's loss is
   * scaled by w[yᵢ] (the smoothing term by each class's own weight), and the mean
   * divides by Σ w[yᵢ] instead of the count.
   */
  classWeights?: readonly number[];
}

type Labels = Tensor<Shape, "int32">;

function classCount(what: string, logits: FloatTensor): number {
  const c = logits.shape[logits.shape.length - 1];
  if (logits.shape.length < 1 || typeof c !== "number") {
    throw new GraphError(`${what}: logits need a concrete class axis last, got shape ${JSON.stringify(logits.shape)}`);
  }
  return c;
}

function smoothing(what: string, value: number | undefined): number {
  const eps = value ?? 0;
  if (!(eps >= 0 && eps < 1)) throw new GraphError(`${what}: labelSmoothing must be in [0, 1), got ${value}`);
  return eps;
}

/**
 * Softmax cross-entropy of logits [..., C] against int32 class labels [...], one loss
 * per example: logsumexp(x) − x[label], through the graph's fused `softmaxCrossEntropy`
 * op (stable at any logit; gradient softmax(x) − onehot). With label smoothing ε the
 * per-example loss is (1 − ε)·CE + ε·(logsumexp(x) − mean(x)), which is −Σ q·logSoftmax(x)
 * for the smoothed target q.
 */
export function crossEntropyWithLabels<R extends Reduction = "mean">(logits: FloatTensor, labels: Labels, options: LabelCrossEntropyOptions<R> = {}): Reduced<R> {
  const what = "crossEntropyWithLabels";
  checkFloat(what, logits, "logits");
  if (labels.dtype !== "int32") throw new GraphError(`${what}: labels must be int32 class indices, got ${labels.dtype}`);
  const classes = classCount(what, logits);
  const eps = smoothing(what, options.labelSmoothing);
  if (options.classWeights !== undefined) return weightedCrossEntropy(what, logits, labels, classes, eps, options.classWeights, options.reduction);
  let losses = softmaxCrossEntropy(logits, labels) as FloatTensor;
  if (eps > 0) {
    const uniformPart = sub(logsumexp(logits, -1), mean(logits, -1));
    losses = add(mul(losses, 1 - eps), mul(uniformPart, eps)) as FloatTensor;
  }
  return reduce(losses, options.reduction, what);
}

/** PyTorch's CrossEntropyLoss(weight, label_smoothing): (1 − ε)·w[y]·CE + (ε/C)·Σ_c w_c·(logsumexp(x) − x_c). */
function weightedCrossEntropy<R extends Reduction>(
  what: string,
  logits: FloatTensor,
  labels: Labels,
  classes: number,
  eps: number,
  weights: readonly number[],
  reduction: R | undefined,
): Reduced<R> {
  if (weights.length !== classes || !weights.every((w) => Number.isFinite(w) && w >= 0)) {
    throw new GraphError(`${what}: classWeights must be ${classes} non-negative numbers (one per class), got ${JSON.stringify(weights)}`);
  }
  const w = constant(Float64Array.from(weights), [classes]);
  const weightOfLabel = sum(mul(oneHot(labels, classes), w), -1) as FloatTensor;
  let losses = mul(softmaxCrossEntropy(logits, labels), weightOfLabel) as FloatTensor;
  if (eps > 0) {
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const smooth = sub(mul(logsumexp(logits, -1), totalWeight), sum(mul(logits, w), -1));
    losses = add(mul(losses, 1 - eps), mul(smooth, eps / classes)) as FloatTensor;
  }
  if ((reduction ?? "mean") === "mean") return div(sum(losses), sum(weightOfLabel)) as never;
  return reduce(losses, reduction, what);
}

/**
 * Softmax cross-entropy of logits [..., C] against a distribution over the C classes
 * (one-hot or soft targets of the same shape), one loss per example: −Σ_c t_c·logSoftmax(x)_c.
 * logSoftmax subtracts the max first, so logits of ±1000 stay exact.
 */
export function crossEntropyWithTargets<R extends Reduction = "mean">(logits: FloatTensor, targets: FloatTensor, options: CrossEntropyOptions<R> = {}): Reduced<R> {
  const what = "crossEntropyWithTargets";
  checkFloat(what, logits, "logits");
  checkFloat(what, targets, "targets");
  const classes = classCount(what, logits);
  if (targets.shape.length !== logits.shape.length || targets.shape.some((d, i) => d !== logits.shape[i])) {
    throw new GraphError(`${what}: targets must have the logits' shape ${JSON.stringify(logits.shape)}, got ${JSON.stringify(targets.shape)}`);
  }
  const eps = smoothing(what, options.labelSmoothing);
  const q = eps > 0 ? add(mul(targets, 1 - eps), eps / classes) : targets;
  const losses = mul(sum(mul(q, logSoftmax(logits, -1)), -1), -1) as FloatTensor;
  return reduce(losses, options.reduction, what);
}

/**
 * PyTorch's CrossEntropyLoss: int32 labels go to `crossEntropyWithLabels`, float32
 * one-hot or soft targets to `crossEntropyWithTargets`.
 */
export function crossEntropy<R extends Reduction = "mean">(logits: FloatTensor, target: Labels | FloatTensor, options: LabelCrossEntropyOptions<R> = {}): Reduced<R> {
  if (target.dtype === "int32") return crossEntropyWithLabels(logits, target as Labels, options);
  if (target.dtype === "float32") {
    if (options.classWeights !== undefined) throw new GraphError("crossEntropy: classWeights apply to int32 labels only");
    return crossEntropyWithTargets(logits, target as FloatTensor, options);
  }
  throw new GraphError(`crossEntropy: target must be int32 labels or float32 probabilities, got ${(target as Tensor).dtype}`);
}
