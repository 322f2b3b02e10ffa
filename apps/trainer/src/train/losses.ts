import type { AnyTensor } from "@gradfold/graph";
import { absoluteError, crossEntropyWithLabels, huber, squaredError, type FloatTensor } from "@gradfold/nn";

/** Per-example losses from @gradfold/nn: predictions [batch, outputs], targets [batch] → [batch]. */
type PerExampleLoss = (pred: AnyTensor, target: AnyTensor) => AnyTensor;

export const losses: Record<"cross-entropy" | "mse" | "mae" | "huber", PerExampleLoss> = {
  "cross-entropy": (logits: AnyTensor, labels: AnyTensor) => crossEntropyWithLabels(logits as FloatTensor, labels as never, { reduction: "none" }),
  mse: (pred: AnyTensor, target: AnyTensor) => squaredError(column(pred), target as FloatTensor, { reduction: "none" }),
  mae: (pred: AnyTensor, target: AnyTensor) => absoluteError(column(pred), target as FloatTensor, { reduction: "none" }),
  huber: (pred: AnyTensor, target: AnyTensor) => huber(column(pred), target as FloatTensor, { reduction: "none" }),
};

/** A regression model's [batch, 1] output as [batch], the targets' shape. */
const column = (pred: AnyTensor) => pred.reshape([pred.shape[0]]) as FloatTensor;

export type LossName = keyof typeof losses;

/** Which losses fit which task. */
export const lossTask: Record<LossName, "classification" | "regression"> = {
  "cross-entropy": "classification",
  mse: "regression",
  mae: "regression",
  huber: "regression",
};

/**
 * Regression trains on standardised targets; this factor turns a loss of those into the
 * target's own units (std² for a squared error, std for an absolute one). Huber is not
 * homogeneous in the error, so its loss stays in standardised units.
 */
export const lossUnitScale: Record<LossName, (std: number) => number> = {
  "cross-entropy": () => 1,
  mse: (std) => std * std,
  mae: (std) => std,
  huber: () => 1,
};
