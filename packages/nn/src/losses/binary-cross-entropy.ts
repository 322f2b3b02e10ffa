import { add, greater, log, mul, softplus, sub, where } from "@gradfold/graph";
import { checkFloatPair, reduce, type FloatTensor, type Reduced, type Reduction, type ReductionOptions } from "./reduction.ts";

/** Below e^-100 PyTorch's BCELoss clamps log p at −100. */
const LOG_FLOOR = -100;
const FLOOR_ARGUMENT = Math.exp(LOG_FLOOR);

/**
 * max(log p, −100) as where(p > e^-100, log(p'), −100) with p' = p there and 1 elsewhere:
 * exact values, and neither log(0) nor a division by a tiny clamp appears anywhere in
 * the graph or its gradient (a max(p, e^-100) clamp would divide by a float32 denormal).
 */
function clampedLog(p: FloatTensor): FloatTensor {
  const above = greater(p, FLOOR_ARGUMENT);
  return where(above, log(where(above, p, 1)), LOG_FLOOR) as FloatTensor;
}

/**
 * Binary cross-entropy on probabilities p ∈ [0, 1] against targets t ∈ [0, 1]:
 * −(t·log p + (1 − t)·log(1 − p)), with each log clamped at −100 as PyTorch's
 * BCELoss, so p = 0 or 1 gives a finite loss (at most 100) instead of ∞.
 * The gradient is that of the clamped expression: −t/p + (1−t)/(1−p) inside the
 * clamp and 0 where a log is clamped (PyTorch instead clamps its denominator at 1e-12),
 * so it stays finite at p = 0 and p = 1, in float64 and in float32.
 * Prefer `binaryCrossEntropyWithLogits`, which is exact at any logit.
 */
export function binaryCrossEntropy<R extends Reduction = "mean">(probabilities: FloatTensor, targets: FloatTensor, options: ReductionOptions<R> = {}): Reduced<R> {
  checkFloatPair("binaryCrossEntropy", probabilities, targets, ["probabilities", "targets"]);
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
export function binaryCrossEntropyWithLogits<R extends Reduction = "mean">(logits: FloatTensor, targets: FloatTensor, options: ReductionOptions<R> = {}): Reduced<R> {
  checkFloatPair("binaryCrossEntropyWithLogits", logits, targets, ["logits", "targets"]);
  return reduce(sub(softplus(logits), mul(logits, targets)) as FloatTensor, options.reduction, "binaryCrossEntropyWithLogits");
}
