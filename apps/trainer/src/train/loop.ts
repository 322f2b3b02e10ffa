import { fillBatch, type DataSplits } from "../data/dataset.ts";
import { Rng, type RngState } from "../rng.ts";
import { evaluateSet, syncParams, type SetEvaluation } from "./evaluate-set.ts";
import { countCorrect, type EpochMetrics } from "./metrics.ts";
import { gradNormPrefix, type TrainingPrograms } from "./program.ts";
import type { Step } from "./step.ts";

/** Everything besides tensors that a resumed run needs to continue exactly where it stopped. */
export interface RunState {
  /** The current epoch, from 0. */
  epoch: number;
  /** The next batch of the current epoch. */
  batch: number;
  /** Optimizer steps done. */
  step: number;
  /** The shuffling RNG as it was at the start of `epoch` (the epoch's order is drawn from it). */
  epochRng: RngState;
  dropoutRng: RngState;
  /** Sums over the part of the current epoch already done. */
  partial: { lossSum: number; correct: number; seen: number; seconds: number };
  history: EpochMetrics[];
  best: { valLoss: number; epoch: number } | null;
  /** Epochs since the validation loss last improved (early stopping). */
  staleEpochs: number;
}

export function initialRunState(shuffleRng: Rng, dropoutRng: Rng): RunState {
  return {
    epoch: 0,
    batch: 0,
    step: 0,
    epochRng: shuffleRng.state(),
    dropoutRng: dropoutRng.state(),
    partial: { lossSum: 0, correct: 0, seen: 0, seconds: 0 },
    history: [],
    best: null,
    staleEpochs: 0,
  };
}

export interface LoopOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly evalBatchSize: number;
  readonly dropout: number;
  /** Stop after this many epochs without a better validation loss; 0 turns early stopping off. */
  readonly patience: number;
  /** Save a checkpoint every this many steps as well as at each epoch's end; 0: epoch ends only. */
  readonly checkpointEvery: number;
  /** Multiplies reported losses into the target's units (regression on standardised targets); 1 otherwise. */
  readonly lossScale?: number;
}

export interface LoopHooks {
  /** Saves the run (params and optimizer state are read from the step by the caller). */
  checkpoint(state: RunState): void;
  /** Called when the validation loss improves (early stopping restores these params). */
  bestSoFar(state: RunState): void;
  epochStart(epoch: number, batches: number): void;
  /** After each step: `loss` is the epoch's running mean, `stepLoss` this step's own. */
  batchDone(info: { step: number; stepLoss: number; batch: number; batches: number; loss: number; accuracy: number | null; examplesPerSecond: number }): void;
  epochEnd(metrics: EpochMetrics): void;
  /** Polled between steps: true once the user asked to stop (Ctrl-C). */
  stopRequested(): boolean;
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
}

export type LoopOutcome =
  | { status: "completed" | "early-stopped"; state: RunState }
  | { status: "interrupted"; state: RunState }
  | { status: "diverged"; state: RunState; divergence: Divergence };

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The training loop: per epoch, a seeded shuffle, full batches of the training set
 * (the remainder is left out; another order next epoch), the step, metrics, an
 * evaluation on the validation set, a checkpoint, and early stopping. Resuming
 * from a `RunState` replays the same order and dropout masks, so an interrupted and
 * resumed run is bit-identical to one that was never interrupted.
 */
export async function trainLoop(
  programs: TrainingPrograms,
  trainStep: Step,
  evalStep: Step,
  data: DataSplits,
  options: LoopOptions,
  state: RunState,
  hooks: LoopHooks,
): Promise<LoopOutcome> {
  const { train } = data;
  const { batchSize } = options;
  const classes = data.info.task === "classification" ? data.info.outputs : 0;
  const batches = Math.floor(train.count / batchSize);
  if (batches === 0) throw new Error(`batch size ${batchSize} is larger than the training set (${train.count} examples)`);
  const x = new Float32Array(batchSize * train.features);
  const y = data.info.task === "classification" ? new Int32Array(batchSize) : new Float32Array(batchSize);
  const masks = programs.dropoutMasks.map(({ name, width }) => ({ name, data: new Float32Array(batchSize * width) }));
  const dropoutRng = new Rng(state.dropoutRng);
  const keep = 1 - options.dropout;
  let lastGoodGradNorms: Record<string, number> | null = null;
  const lossScale = options.lossScale ?? 1;

  while (state.epoch < options.epochs) {
    const shuffleRng = new Rng(state.epochRng);
    const order = shuffleRng.permutation(train.count);
    hooks.epochStart(state.epoch, batches);
    let clock = performance.now();
    while (state.batch < batches) {
      if (hooks.stopRequested()) {
        state.partial.seconds += (performance.now() - clock) / 1000;
        state.dropoutRng = dropoutRng.state();
        hooks.checkpoint(state);
        return { status: "interrupted", state };
      }
      fillBatch(train, order, state.batch * batchSize, x, y);
      for (const mask of masks) {
        for (let i = 0; i < mask.data.length; i++) mask.data[i] = dropoutRng.uniform() < keep ? 1 / keep : 0;
      }
      const out = trainStep.run({ x, y, ...Object.fromEntries(masks.map((m) => [m.name, m.data])) });
      const rawLoss = out.loss[0];
      const loss = rawLoss * lossScale;
      const norms = gradNormsOf(out);
      const bad = [...(Number.isFinite(rawLoss) ? [] : ["loss"]), ...Object.keys(norms).filter((k) => !Number.isFinite(norms[k]))];
      if (bad.length > 0) {
        const divergence = { step: state.step + 1, epoch: state.epoch, batch: state.batch, tensors: bad, loss, lastGoodGradNorms };
        return { status: "diverged", state, divergence };
      }
      lastGoodGradNorms = norms;
      state.step++;
      state.batch++;
      state.partial.lossSum += loss * batchSize;
      state.partial.seen += batchSize;
      if (classes > 0) state.partial.correct += countCorrect(out.predictions, y, classes);
      const now = performance.now();
      state.partial.seconds += (now - clock) / 1000;
      clock = now;
      hooks.batchDone({
        step: state.step,
        stepLoss: loss,
        batch: state.batch,
        batches,
        loss: state.partial.lossSum / state.partial.seen,
        accuracy: classes > 0 ? state.partial.correct / state.partial.seen : null,
        examplesPerSecond: state.partial.seen / state.partial.seconds,
      });
      if (options.checkpointEvery > 0 && state.step % options.checkpointEvery === 0 && state.batch < batches) {
        state.dropoutRng = dropoutRng.state();
        hooks.checkpoint(state);
      }
      await yieldToEventLoop();
    }

    syncParams(trainStep, evalStep, programs.paramNames);
    const val: SetEvaluation = evaluateSet(evalStep, data.validation, data.info, options.evalBatchSize, lossScale);
    const { lossSum, correct, seen, seconds } = state.partial;
    const metrics: EpochMetrics = {
      epoch: state.epoch + 1,
      step: state.step,
      trainLoss: lossSum / seen,
      trainAccuracy: classes > 0 ? correct / seen : null,
      valLoss: val.loss,
      valAccuracy: val.accuracy,
      seconds,
      examplesPerSecond: seen / seconds,
    };
    state.history.push(metrics);
    state.epoch++;
    state.batch = 0;
    state.epochRng = shuffleRng.state();
    state.dropoutRng = dropoutRng.state();
    state.partial = { lossSum: 0, correct: 0, seen: 0, seconds: 0 };
    const improved = state.best === null || val.loss < state.best.valLoss;
    if (improved) {
      state.best = { valLoss: val.loss, epoch: metrics.epoch };
      state.staleEpochs = 0;
    } else state.staleEpochs++;
    hooks.epochEnd(metrics);
    if (improved) hooks.bestSoFar(state);
    hooks.checkpoint(state);
    if (options.patience > 0 && state.staleEpochs >= options.patience) return { status: "early-stopped", state };
  }
  return { status: "completed", state };
}

function gradNormsOf(out: Record<string, Float32Array>): Record<string, number> {
  const norms: Record<string, number> = {};
  for (const [key, value] of Object.entries(out)) if (key.startsWith(gradNormPrefix)) norms[key.slice(gradNormPrefix.length)] = value[0];
  return norms;
}
