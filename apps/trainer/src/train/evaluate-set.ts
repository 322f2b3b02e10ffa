import type { Dataset, TaskInfo } from "../data/dataset.ts";
import { argmax, Confusion } from "./metrics.ts";
import type { Step } from "./step.ts";

export interface SetEvaluation {
  /** Mean loss, in the units the run reports (see `lossScale`). */
  readonly loss: number;
  /** null for regression. */
  readonly accuracy: number | null;
  readonly confusion: Confusion | null;
  /** Regression: mean squared and absolute error, and each example's target and prediction, in the target's original units. */
  readonly regression: { readonly mse: number; readonly mae: number; readonly targets: Float64Array; readonly predictions: Float64Array } | null;
}

/** Copies the trainable params from the training step into the evaluation step. */
export function syncParams(from: Step, to: Step, names: readonly string[]): void {
  for (const name of names) to.write(name, from.read(name));
}

/**
 * Mean per-example loss (and accuracy, confusion; or MSE and MAE for regression)
 * over a whole data set with the fixed-size evaluation step; the last batch is padded
 * with zero examples whose results are ignored. `lossScale` turns the step's loss of
 * standardised targets back into the original units (std² for MSE, std for MAE).
 */
export function evaluateSet(step: Step, data: Dataset, info: TaskInfo, evalBatch: number, lossScale = 1): SetEvaluation {
  const { features } = data;
  const x = new Float32Array(evalBatch * features);
  const y = data.y instanceof Int32Array ? new Int32Array(evalBatch) : new Float32Array(evalBatch);
  const confusion = info.task === "classification" ? new Confusion(info.outputs) : null;
  let lossSum = 0;
  let squaredSum = 0;
  let absoluteSum = 0;
  const scale = info.targetScale ?? { mean: 0, std: 1 };
  const targets = new Float64Array(confusion ? 0 : data.count);
  const predictions = new Float64Array(confusion ? 0 : data.count);
  for (let start = 0; start < data.count; start += evalBatch) {
    const size = Math.min(evalBatch, data.count - start);
    x.fill(0);
    y.fill(0);
    x.set(data.x.subarray(start * features, (start + size) * features));
    y.set(data.y.subarray(start, start + size));
    const out = step.run({ x, y });
    for (let i = 0; i < size; i++) {
      lossSum += out.losses[i];
      if (confusion) confusion.add(y[i], argmax(out.predictions, i * info.outputs, info.outputs));
      else {
        const error = out.predictions[i] - y[i];
        targets[start + i] = y[i] * scale.std + scale.mean;
        predictions[start + i] = out.predictions[i] * scale.std + scale.mean;
        squaredSum += error * error;
        absoluteSum += Math.abs(error);
      }
    }
  }
  const mean = (sum: number) => (data.count === 0 ? Number.NaN : sum / data.count);
  const { std } = scale;
  return {
    loss: mean(lossSum) * lossScale,
    accuracy: confusion ? confusion.accuracy : null,
    confusion,
    regression: confusion ? null : { mse: mean(squaredSum) * std * std, mae: mean(absoluteSum) * std, targets, predictions },
  };
}
