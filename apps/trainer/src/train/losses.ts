import { softmaxCrossEntropy, type AnyTensor } from "@gradfold/graph";

/** Per-example losses: predictions [batch, outputs], targets [batch] → [batch]. */
export const losses = {
  "cross-entropy": (logits: AnyTensor, labels: AnyTensor) => softmaxCrossEntropy(logits, labels),
  mse: (pred: AnyTensor, target: AnyTensor) => pred.reshape([-1]).sub(target).square(),
  mae: (pred: AnyTensor, target: AnyTensor) => pred.reshape([-1]).sub(target).abs(),
} satisfies Record<string, (pred: AnyTensor, target: AnyTensor) => AnyTensor>;

export type LossName = keyof typeof losses;

/** Which losses fit which task. */
export const lossTask: Record<LossName, "classification" | "regression"> = {
  "cross-entropy": "classification",
  mse: "regression",
  mae: "regression",
};
