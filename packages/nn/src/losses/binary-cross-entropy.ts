import { add, log, maximum, mul, softplus, sub } from "@gradfold/graph";
import { checkFloat, checkSameShape, reduce, type FloatTensor, type Reduced, type Reduction, type ReductionOptions } from "./reduction.ts";

/** e^-100: clamping probabilities here clamps their logarithm at −100, as PyTorch's BCELoss does. */
const LOG_FLOOR_ARGUMENT = Math.exp(-100);

/** max(log p, −100) computed as log(max(p, e^-100)): equal values, and no log(0) anywhere in the graph. */
function clampedLog(p: FloatTensor): FloatTensor {
  return log(maximum(p, LOG_FLOOR_ARGUMENT)) as FloatTensor;
}

/**
 * Binary cross-entropy on probabilities p ∈ [0, 1] against targets t ∈ [0, 1]:
 * −(t·log p + (1 − t)·log(1 − p)), with each log clamped at −100 as PyTorch's
 * BCELoss, so p = 0 or 1 gives a finite loss (at most 100) instead of ∞.
 * The gradient is that of the clamped expression: −t/p + (1−t)/(1−p) inside the
 * clamp and 0 where p < e^-100 (PyTorch instead clamps its denominator at 1e-12).
 * Prefer `binaryCrossEntropyWithLogits`, which is exact at any logit.
 */
export function binaryCrossEntropy<R extends Reduction = "mean">(
  probabilities: FloatTensor,
  targets: FloatTensor,
  options: ReductionOptions<R> = {},
): Reduced<R> {
  checkFloat("binaryCrossEntropy", probabilities, "probabilities");
  checkFloat("binaryCrossEntropy", targets, "targets");
  checkSameShape("binaryCrossEntropy", probabilities, targets, ["probabilities", "targets"]);
  const positive = mul(targets, clampedLog(probabilities));
  const negative = mul(sub(1, targets), clampedLog(sub(1, probabilities) as FloatTensor));
  return reduce(mul(add(positive, negative), -1) as FloatTensor, options.reduction, "binaryCrossEntropy");
}

/**
 * Binary cross-entropy on logits x: −(t·log σ(x) + (1 − t)·log(1 − σ(x))), computed as
 * softplus(x) − x·t, which is max(x, 0) − x·t + log1p(exp(−|x|)) (the graph's softplus
 * evaluates exactly that form). Exact and finite for any finite logit (±1000 included);
 * its gradient σ(x) − t is right at x = 0 too, where the |x| form's sign(0) would lose it.
 */
export function binaryCrossEntropyWithLogits<R extends Reduction = "mean">(
  logits: FloatTensor,
  targets: FloatTensor,
  options: ReductionOptions<R> = {},
): Reduced<R> {
  checkFloat("binaryCrossEntropyWithLogits", logits, "logits");
  checkFloat("binaryCrossEntropyWithLogits", targets, "targets");
  checkSameShape("binaryCrossEntropyWithLogits", logits, targets, ["logits", "targets"]);
  return reduce(sub(softplus(logits), mul(logits, targets)) as FloatTensor, options.reduction, "binaryCrossEntropyWithLogits");
}
