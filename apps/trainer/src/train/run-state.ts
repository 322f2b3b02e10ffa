import type { FirstNonFinite, Rewind } from "./trace-divergence.ts";

/** One line of metrics.jsonl: one finished epoch. */
export interface EpochMetrics {
  readonly epoch: number;
  readonly step: number;
  /** Mean training loss over the epoch's rows, as the batches were trained (with dropout). */
  readonly trainLoss: number;
  /** Accuracy on the training batches as seen during the epoch (with dropout); null for regression. */
  readonly trainAccuracy: number | null;
  readonly valLoss: number;
  readonly valAccuracy: number | null;
  readonly seconds: number;
  readonly examplesPerSecond: number;
}

/**
 * Everything besides tensors that a resumed run needs to continue exactly where it
 * stopped. The batch order and dropout masks need no state: fit() draws them from
 * (seed, epoch) and (seed, step).
 */
export interface RunState {
  /** The current epoch, from 0. */
  epoch: number;
  /** The next batch of the current epoch. */
  batch: number;
  /** Optimizer steps done. */
  step: number;
  /** Sums over the part of the current epoch already done. */
  partial: { lossSum: number; correct: number; seen: number; seconds: number };
  history: EpochMetrics[];
  best: { valLoss: number; epoch: number } | null;
  /** Epochs since the validation loss last improved (early stopping). */
  staleEpochs: number;
}

export function initialRunState(): RunState {
  return { epoch: 0, batch: 0, step: 0, partial: { lossSum: 0, correct: 0, seen: 0, seconds: 0 }, history: [], best: null, staleEpochs: 0 };
}

export interface Divergence {
  readonly step: number;
  readonly epoch: number;
  readonly batch: number;
  /** "loss" or the param whose gradient went non-finite. */
  readonly tensors: readonly string[];
  readonly loss: number;
  /** Gradient norms of the last step whose values were all finite. */
  readonly lastGoodGradNorms: Readonly<Record<string, number>> | null;
  /** What re-running the step with checkNumerics found (set once the run has traced it). */
  readonly firstNonFinite?: FirstNonFinite;
}

export type LoopOutcome =
  | { status: "completed" | "early-stopped"; state: RunState }
  | { status: "interrupted"; state: RunState }
  /** `rewind`: the latest params and optimizer state kept before the diverged step (the model holds what that step produced). */
  | { status: "diverged"; state: RunState; divergence: Divergence; rewind: Rewind };
