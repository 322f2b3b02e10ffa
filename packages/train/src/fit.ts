import { batchesOf, shuffledOrder, type Dataset } from "./data.ts";
import { checkBatchSize, evaluate, type Evaluation, type Metric } from "./evaluate.ts";
import { entryOf, type CompiledModel } from "./compiled-model.ts";
import { monitorOf, type EarlyStopping } from "./monitor.ts";
import { restore, snapshot } from "./snapshot.ts";

export interface BatchLog {
  readonly epoch: number;
  /** Index of the batch in its epoch. */
  readonly batch: number;
  /** Training steps taken so far in the run, this one included (the dropout-mask step is `step − 1`). */
  readonly step: number;
  readonly rows: number;
  readonly loss: number;
  /** Every output of the train entry for this batch (views the next step overwrites: copy what you keep). */
  readonly outputs: Readonly<Record<string, Float32Array | Int32Array>>;
}

export interface EpochLog {
  readonly epoch: number;
  /** Mean training loss over the epoch's rows (each batch weighted by its row count). */
  readonly loss: number;
  /** Loss and metrics on `validation`, when given. */
  readonly validation?: Evaluation;
}

export interface FitCallbacks {
  onBatchEnd?(log: BatchLog): void;
  onEpochEnd?(log: EpochLog): void;
  /** Asked after every batch; true stops training (status "stopped"). */
  shouldStop?(): boolean;
}

export interface FitOptions {
  epochs: number;
  /** Rows per step; default the train entry's compiled batch size. The last batch of an epoch is smaller, and trained. */
  batchSize?: number;
  /** Shuffle the rows each epoch (default true), in an order fixed by (seed, epoch). */
  shuffle?: boolean;
  seed?: number;
  /** Resume: run epochs initialEpoch … epochs − 1, with the shuffles and dropout masks an unbroken run would use. */
  initialEpoch?: number;
  /** Resume mid-epoch: skip the first initialBatch batches of initialEpoch (its loss in the history then covers the batches run). */
  initialBatch?: number;
  /** Evaluated after every epoch by the "evaluate" entry. */
  validation?: Dataset;
  /** Rows per validation run; default batchSize. */
  validationBatchSize?: number;
  /** Metrics of the validation set, e.g. `{ accuracy: ({ output }, { y }) => accuracy(output, y) }`. */
  metrics?: Readonly<Record<string, Metric>>;
  earlyStopping?: EarlyStopping;
  callbacks?: FitCallbacks;
  /** An AbortSignal (or anything with `aborted`): aborting stops after the current batch (status "aborted"). */
  signal?: { readonly aborted: boolean };
  /** On a NaN or infinite loss: "stop" (default) keeps the params the bad step produced; "restore" copies them before every step and puts back the last finite ones. */
  nonFinite?: "stop" | "restore";
  /** Entry names; defaults "train" and "evaluate". */
  entries?: { train?: string; evaluate?: string };
}

export type FitStatus = "completed" | "early-stopped" | "stopped" | "aborted" | "non-finite-loss";

export interface History {
  readonly epochs: EpochLog[];
  readonly status: FitStatus;
  /** Why training ended, in words. */
  readonly message: string;
  /** Training steps taken in the run, from the first epoch of the run (initialEpoch's included). */
  readonly steps: number;
  /** The epoch whose params the model holds at the end, when early stopping restored the best. */
  readonly restoredEpoch?: number;
  /** Status "non-finite-loss": the batch whose loss was not finite, with its outputs. */
  readonly failed?: BatchLog;
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`fit: ${name} must be an integer ≥ ${min}, got ${value}`);
}

/**
 * Trains `model` on `data` for `epochs` epochs: each epoch shuffles the rows (seeded),
 * runs the train entry on every batch (the last, partial one too, at its own size),
 * evaluates the validation set, calls back, and checks early stopping. Everything is
 * checked before the first step, so bad options or data change nothing. Deterministic:
 * the same model, data and options give the same numbers on every platform.
 * Synchronous; `fitAsync` is the same loop giving the event loop a turn between batches.
 */
export function fit(model: CompiledModel, data: Dataset, options: FitOptions): History {
  const loop = fitLoop(model, data, options);
  for (;;) {
    const next = loop.next();
    if (next.done) return next.value;
  }
}

/**
 * The training loop as a generator that pauses (yields) after every batch, before the
 * stop checks: `fit` runs it straight through, `fitAsync` awaits between batches. The
 * checks run when it is created, so a bad call throws before any step.
 */
export function fitLoop(model: CompiledModel, data: Dataset, options: FitOptions): Generator<void, History, void> {
  const { epochs, shuffle = true, seed = 0, initialEpoch = 0, initialBatch = 0, callbacks = {}, nonFinite = "stop" } = options ?? ({} as FitOptions);
  const trainEntry = options?.entries?.train ?? "train";
  const evaluateEntry = options?.entries?.evaluate ?? "evaluate";
  checkInteger("epochs", epochs, 0);
  checkInteger("initialEpoch", initialEpoch, 0);
  checkInteger("initialBatch", initialBatch, 0);
  if (initialEpoch > epochs) throw new RangeError(`fit: initialEpoch ${initialEpoch} is past epochs ${epochs}`);
  if (!Number.isFinite(seed)) throw new RangeError(`fit: seed must be a finite number, got ${seed}`);
  if (nonFinite !== "stop" && nonFinite !== "restore") throw new Error(`fit: nonFinite must be "stop" or "restore", got ${JSON.stringify(nonFinite)}`);
  const info = entryOf(model, trainEntry, "fit");
  if (!info.outputs.some((o) => o.name === "loss" && o.shape.length === 0)) {
    throw new Error(`fit: entry ${JSON.stringify(trainEntry)} needs a scalar output "loss", it has ${JSON.stringify(info.outputs.map((o) => o.name))}`);
  }
  const batches = batchesOf("fit", info, data);
  const batchSize = options.batchSize ?? info.sizes[batches.batchDim] ?? batches.rows;
  checkBatchSize("fit", batchSize);
  const stepsPerEpoch = Math.ceil(batches.rows / batchSize);
  if (initialBatch > 0 && (initialBatch >= stepsPerEpoch || initialEpoch >= epochs)) {
    throw new RangeError(`fit: initialBatch ${initialBatch} is past the ${stepsPerEpoch} batches of an epoch (or initialEpoch is the end)`);
  }
  if (options.validationBatchSize !== undefined) checkBatchSize("fit (validationBatchSize)", options.validationBatchSize);
  if (options.validation !== undefined) batchesOf("fit (validation)", entryOf(model, evaluateEntry, "fit"), options.validation);
  const monitor = options.earlyStopping ? monitorOf(options.earlyStopping, options.validation !== undefined, Object.keys(options.metrics ?? {})) : undefined;

  return (function* (): Generator<void, History, void> {
    let step = initialEpoch * stepsPerEpoch + initialBatch;
    const history: EpochLog[] = [];
    const end = (status: FitStatus, message: string, restoredEpoch?: number, failed?: BatchLog): History => ({
      epochs: history,
      status,
      message,
      steps: step,
      restoredEpoch,
      failed,
    });

    for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      const order = shuffle ? shuffledOrder(batches.rows, seed, epoch) : undefined;
      let lossSum = 0;
      let rowsRun = 0;
      for (let batch = epoch === initialEpoch ? initialBatch : 0; batch < stepsPerEpoch; batch++) {
        const start = batch * batchSize;
        const rows = Math.min(batchSize, batches.rows - start);
        const { feeds, sizes } = batches.slice(start, rows, order);
        const random = model.randomFeeds?.(trainEntry, step, sizes) ?? {};
        const before = nonFinite === "restore" ? snapshot(model) : undefined;
        const outputs = model.run(trainEntry, { ...feeds, ...random }, sizes);
        const loss = outputs.loss[0];
        step += 1;
        const log: BatchLog = { epoch, batch, step, rows, loss, outputs };
        if (!Number.isFinite(loss)) {
          if (before) restore(model, before);
          const kept = before ? "the params are those before this step" : "the params are those this step produced";
          return end("non-finite-loss", `loss was ${loss} at epoch ${epoch}, batch ${batch} (step ${step}); training stopped and ${kept}`, undefined, log);
        }
        lossSum += loss * rows;
        rowsRun += rows;
        callbacks.onBatchEnd?.(log);
        yield;
        if (options.signal?.aborted) return end("aborted", `aborted at epoch ${epoch}, batch ${batch} (step ${step})`);
        if (batch < stepsPerEpoch - 1 && callbacks.shouldStop?.()) return end("stopped", `shouldStop() at epoch ${epoch}, batch ${batch} (step ${step})`);
      }
      const validation = options.validation
        ? evaluate(model, options.validation, { metrics: options.metrics, entry: evaluateEntry, batchSize: options.validationBatchSize ?? batchSize })
        : undefined;
      const log: EpochLog = validation ? { epoch, loss: lossSum / rowsRun, validation } : { epoch, loss: lossSum / rowsRun };
      history.push(log);
      callbacks.onEpochEnd?.(log);
      if (monitor?.observe(log, () => snapshot(model))) {
        const best = monitor.best();
        if (best.params) restore(model, best.params);
        return end(
          "early-stopped",
          `${monitor.name} did not improve for ${Math.max(1, monitor.patience)} epoch(s) after epoch ${best.epoch}`,
          best.params ? best.epoch : undefined,
        );
      }
      if (callbacks.shouldStop?.()) return end("stopped", `shouldStop() after epoch ${epoch} (step ${step})`);
    }
    const best = monitor?.best();
    if (best?.params && best.epoch !== history[history.length - 1]?.epoch) {
      restore(model, best.params);
      return end("completed", `${epochs} epochs; restored the best epoch ${best.epoch} by ${monitor!.name}`, best.epoch);
    }
    return end("completed", `${epochs} epochs`);
  })();
}
