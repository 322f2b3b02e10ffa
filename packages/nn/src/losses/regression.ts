import { abs, add, GraphError, minimum, mul, square, sub } from "@gradfold/graph";
import { checkFloatPair, reduce, type FloatTensor, type Reduced, type Reduction, type ReductionOptions } from "./reduction.ts";

function residual(what: string, prediction: FloatTensor, target: FloatTensor): FloatTensor {
  checkFloatPair(what, prediction, target, ["prediction", "target"]);
  return sub(prediction, target) as FloatTensor;
}

/** (ŷ − y)² per element; with the default mean reduction, PyTorch's MSELoss. */
export function squaredError<R extends Reduction = "mean">(prediction: FloatTensor, target: FloatTensor, options: ReductionOptions<R> = {}): Reduced<R> {
  return reduce(square(residual("squaredError", prediction, target)), options.reduction, "squaredError");
}

/** |ŷ − y| per element; with the default mean reduction, PyTorch's L1Loss. */
export function absoluteError<R extends Reduction = "mean">(prediction: FloatTensor, target: FloatTensor, options: ReductionOptions<R> = {}): Reduced<R> {
  return reduce(abs(residual("absoluteError", prediction, target)), options.reduction, "absoluteError");
}

/**
 * Huber (1964), as PyTorch's HuberLoss: ½d² where |d| ≤ δ, δ(|d| − ½δ) beyond, d = ŷ − y.
 * Written as ½q² + δ(|d| − q) with q = min(|d|, δ): one smooth expression, no branch,
 * whose gradient is d inside and δ·sign(d) outside.
 */
export function huber<R extends Reduction = "mean">(prediction: FloatTensor, target: FloatTensor, options: ReductionOptions<R> & { delta?: number } = {}): Reduced<R> {
  const delta = options.delta ?? 1;
  if (!(delta > 0) || !Number.isFinite(delta)) throw new GraphError(`huber: delta must be a positive finite number, got ${delta}`);
  const a = abs(residual("huber", prediction, target));
  const q = minimum(a, delta);
  const losses = add(mul(square(q), 0.5), mul(sub(a, q), delta));
  return reduce(losses as FloatTensor, options.reduction, "huber");
}
