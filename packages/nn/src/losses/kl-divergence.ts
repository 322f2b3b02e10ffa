import { div, GraphError, greater, log, maximum, mul, size, sub, sum, where } from "@gradfold/graph";
import { checkFloatPair, reduce, type FloatTensor, type Reduced, type Reduction } from "./reduction.ts";

/** 2⁻¹²⁶: exact in float32 and float64; for p below it, p·log p is below 1e-36 either way. */
const SMALLEST_NORMAL_FLOAT32 = 2 ** -126;

/** "batchmean" divides the summed divergence by the batch size (axis 0): the true KL per example. */
export type KlReduction = Reduction | "batchmean";

/**
 * Kullback–Leibler divergence KL(p ‖ q) with q given as log-probabilities, following
 * PyTorch's `kl_div(input = log q, target = p)`: p·(log p − log q) per element, 0 where
 * p = 0 (the limit of p log p). Reductions: "mean" averages over every element (as
 * PyTorch, which is not the KL per example), "batchmean" sums and divides by the batch
 * size, "sum", "none". Pass logSoftmax(logits) as `logQ` to stay stable on logits.
 */
export function klDivergence<R extends KlReduction = "mean">(
  logQ: FloatTensor,
  p: FloatTensor,
  options: { reduction?: R } = {},
): Reduced<R extends "batchmean" ? "mean" : Exclude<R, "batchmean">> {
  const what = "klDivergence";
  checkFloatPair(what, logQ, p, ["logQ", "p"]);
  // log(max(p, tiny)) keeps log(0) out of the graph, so no 0·∞ appears in the gradient either;
  // the where keeps 0·(−log q) = 0 even when q = 0.
  const terms = mul(p, sub(log(maximum(p, SMALLEST_NORMAL_FLOAT32)), logQ));
  const losses = where(greater(p, 0), terms, 0) as FloatTensor;
  if (options.reduction === "batchmean") {
    if (logQ.shape.length === 0) throw new GraphError(`${what}: "batchmean" needs a batch axis`);
    return div(sum(losses), size([logQ.shape[0]])) as never;
  }
  return reduce(losses, options.reduction as Reduction | undefined, what) as never;
}
