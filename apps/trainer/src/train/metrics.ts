/** Index of the largest of `classes` values starting at `offset` (first one wins ties). */
export function argmax(values: Float32Array, offset: number, classes: number): number {
  let best = 0;
  let bestValue = values[offset];
  for (let c = 1; c < classes; c++) {
    if (values[offset + c] > bestValue) {
      bestValue = values[offset + c];
      best = c;
    }
  }
  return best;
}

/** A confusion matrix: rows are true classes, columns predicted classes. */
export class Confusion {
  readonly counts: number[][];
  constructor(readonly classes: number) {
    this.counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  }
  add(truth: number, predicted: number): void {
    this.counts[truth][predicted]++;
  }
  get total(): number {
    return this.counts.reduce((n, row) => n + row.reduce((a, b) => a + b, 0), 0);
  }
  get accuracy(): number {
    let correct = 0;
    for (let c = 0; c < this.classes; c++) correct += this.counts[c][c];
    return this.total === 0 ? 0 : correct / this.total;
  }
}

/** Counts correct predictions of a batch of logits [size, classes] against labels. */
export function countCorrect(predictions: Float32Array, labels: Int32Array | Float32Array, classes: number, size = labels.length): number {
  let correct = 0;
  for (let i = 0; i < size; i++) if (argmax(predictions, i * classes, classes) === labels[i]) correct++;
  return correct;
}

/** One line of metrics.jsonl: one finished epoch. */
export interface EpochMetrics {
  readonly epoch: number;
  readonly step: number;
  readonly trainLoss: number;
  /** Accuracy on the training batches as seen during the epoch (with dropout); null for regression. */
  readonly trainAccuracy: number | null;
  readonly valLoss: number;
  readonly valAccuracy: number | null;
  readonly seconds: number;
  readonly examplesPerSecond: number;
}
