import { accuracy } from "@gradfold/nn";
import { type Dataset as FitData, type TrainModel, fitAsync } from "@gradfold/train";
import type { DataSplits } from "../data/dataset.ts";
import { batchAccuracy, gradNormPrefix } from "./program.ts";
import type { Divergence, EpochMetrics, LoopOutcome, RunState } from "./run-state.ts";
import { type Rewind, takeSnapshot } from "./trace-divergence.ts";

export interface LoopOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly evalBatchSize: number;
  /** Seed of fit()'s batch order (dropout masks are seeded in the network). */
  readonly seed: number;
  /** Stop after this many epochs without a better validation loss; 0 turns early stopping off. */
  readonly patience: number;
  /** Save a checkpoint every this many steps as well as at each epoch's end; 0: epoch ends only. */
  readonly checkpointEvery: number;
  /** Multiplies reported losses into the target's units (regression on standardised targets); 1 otherwise. */
  readonly lossScale?: number;
}

export interface LoopHooks {
  /** Saves the run (params and optimizer state are read from the model by the caller). */
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

/** The data a split feeds to the model's entries: columns by input name. */
export const columnsOf = (split: { x: Float32Array; y: Int32Array | Float32Array }): FitData => ({ x: split.x, y: split.y });

function gradNormsOf(out: Readonly<Record<string, Float32Array | Int32Array>>): Record<string, number> {
  const norms: Record<string, number> = {};
  for (const [key, value] of Object.entries(out)) if (key.startsWith(gradNormPrefix)) norms[key.slice(gradNormPrefix.length)] = value[0];
  return norms;
}

/**
 * The training loop: @gradfold/train's fit() (seeded shuffle, every batch trained, the
 * last one at its own size, dropout masks keyed by the step), with this run's files as
 * its callbacks: per-step losses, checkpoints every `checkpointEvery` steps and at
 * each epoch's end, the validation metrics, early stopping on the validation loss
 * (its state kept in RunState so that it survives a resume). Resuming from a RunState
 * continues at its epoch and batch with the same orders and masks, so an interrupted
 * and resumed run is bit-identical to one that was never interrupted.
 */
export async function trainLoop(model: TrainModel, data: DataSplits, options: LoopOptions, state: RunState, hooks: LoopHooks): Promise<LoopOutcome> {
  const { train, validation } = data;
  const { batchSize } = options;
  const classification = data.info.task === "classification";
  const batches = Math.ceil(train.count / batchSize);
  const lossScale = options.lossScale ?? 1;
  let lastGoodGradNorms: Record<string, number> | null = null;
  let divergence: Divergence | null = null;
  let earlyStop = false;
  // The params and optimizer state at the start and at each checkpoint (when it reads them anyway, not every step):
  // a diverged step is replayed from the latest and then re-run with checkNumerics.
  const here = (): Rewind => ({ params: takeSnapshot(model), epoch: state.epoch, batch: state.batch, step: state.step });
  let rewind = here();
  let clock = performance.now();
  const tick = () => {
    const now = performance.now();
    state.partial.seconds += (now - clock) / 1000;
    clock = now;
  };
  if (state.epoch < options.epochs) hooks.epochStart(state.epoch, batches);
  const history = await fitAsync(model, columnsOf(train), {
    epochs: options.epochs,
    batchSize,
    seed: options.seed,
    initialEpoch: state.epoch,
    initialBatch: state.batch,
    validation: validation.count > 0 ? columnsOf(validation) : undefined,
    validationBatchSize: options.evalBatchSize,
    metrics: classification ? { accuracy: ({ output }, v) => accuracy(output as Float32Array, v.y as Int32Array) } : undefined,
    callbacks: {
      onBatchEnd({ epoch, batch, step, rows, loss: rawLoss, outputs }) {
        const loss = rawLoss * lossScale;
        const norms = gradNormsOf(outputs);
        const bad = Object.keys(norms).filter((k) => !Number.isFinite(norms[k]));
        if (bad.length > 0) {
          divergence = { step, epoch, batch, tensors: bad, loss, lastGoodGradNorms };
          return;
        }
        lastGoodGradNorms = norms;
        state.step = step;
        state.batch = batch + 1;
        state.partial.lossSum += loss * rows;
        state.partial.seen += rows;
        if (classification) state.partial.correct += Math.round(outputs[batchAccuracy][0] * rows);
        tick();
        const { lossSum, seen, correct, seconds } = state.partial;
        hooks.batchDone({
          step,
          stepLoss: loss,
          batch: state.batch,
          batches,
          loss: lossSum / seen,
          accuracy: classification ? correct / seen : null,
          examplesPerSecond: seen / seconds,
        });
        if (options.checkpointEvery > 0 && step % options.checkpointEvery === 0 && state.batch < batches) {
          hooks.checkpoint(state);
          rewind = here();
        }
      },
      onEpochEnd({ validation: val }) {
        if (divergence) return;
        tick();
        const { lossSum, correct, seen, seconds } = state.partial;
        const valLoss = val?.loss === undefined ? Number.NaN : val.loss * lossScale;
        const metrics: EpochMetrics = {
          epoch: state.epoch + 1,
          step: state.step,
          trainLoss: lossSum / seen,
          trainAccuracy: classification ? correct / seen : null,
          valLoss,
          valAccuracy: classification ? (val?.metrics.accuracy ?? Number.NaN) : null,
          seconds,
          examplesPerSecond: seen / seconds,
        };
        state.history.push(metrics);
        state.epoch++;
        state.batch = 0;
        state.partial = { lossSum: 0, correct: 0, seen: 0, seconds: 0 };
        const improved = state.best === null || valLoss < state.best.valLoss;
        if (improved) {
          state.best = { valLoss, epoch: metrics.epoch };
          state.staleEpochs = 0;
        } else state.staleEpochs++;
        hooks.epochEnd(metrics);
        if (improved) hooks.bestSoFar(state);
        hooks.checkpoint(state);
        rewind = here();
        earlyStop = options.patience > 0 && state.staleEpochs >= options.patience;
        if (!earlyStop && state.epoch < options.epochs) hooks.epochStart(state.epoch, batches);
        clock = performance.now();
      },
      shouldStop: () => divergence !== null || earlyStop || hooks.stopRequested(),
    },
  });
  tick();
  if (history.status === "non-finite-loss" && history.failed) {
    const { step, epoch, batch, loss, outputs } = history.failed;
    const norms = gradNormsOf(outputs);
    const tensors = ["loss", ...Object.keys(norms).filter((k) => !Number.isFinite(norms[k]))];
    divergence = { step, epoch, batch, tensors, loss: loss * lossScale, lastGoodGradNorms };
  }
  if (divergence) return { status: "diverged", state, divergence, rewind };
  if (earlyStop) return { status: "early-stopped", state };
  if (history.status === "stopped") {
    hooks.checkpoint(state);
    return { status: "interrupted", state };
  }
  return { status: "completed", state };
}
