import { compile, type NumericsReport } from "@gradfold/codegen";
import { compileModelAsync, type TrainModel, fitAsync, type ModelSpec } from "@gradfold/train";
import type { DataSplits } from "../data/dataset.ts";
import type { Divergence } from "./run-state.ts";

/** The params and optimizer state a model held before a step, by slot name. */
export type ParamSnapshot = ReadonlyMap<string, Float32Array>;

/** Params and optimizer state kept during a run, and where fit() stood then (its next step's epoch and batch, steps done). */
export interface Rewind {
  readonly params: ParamSnapshot;
  readonly epoch: number;
  readonly batch: number;
  readonly step: number;
}

/** What re-running a diverged step with checkNumerics found (report.json's `divergence.firstNonFinite`). */
export interface FirstNonFinite {
  /** False when the re-run step was finite everywhere. */
  readonly found: boolean;
  /** The op that first produced a non-finite value, with its dtype and shape, e.g. `log float32[10, 3]`. */
  readonly operation: string | null;
  /** Where the model's code built that op (null when gradfold built it, e.g. a gradient). */
  readonly callSite: string | null;
  readonly kernel: string | null;
  /** The values it read: one line per input. */
  readonly inputs: readonly string[];
  /** checkNumerics' own message, or what the re-run showed. */
  readonly message: string;
}

/** Copies every param and optimizer state slot of a model. */
export function takeSnapshot(model: TrainModel): ParamSnapshot {
  return new Map(model.names().map((n) => [n, model.read(n)]));
}

/** A checkNumerics error's report (codegen attaches it to the error as data). */
function numericsOf(err: unknown): NumericsReport | undefined {
  return err instanceof RangeError ? (err as RangeError & { numerics?: NumericsReport }).numerics : undefined;
}

export interface TraceRequest {
  readonly spec: ModelSpec<unknown>;
  /** The run's model: replays the steps from `rewind` to the diverged one with the run's own step. */
  readonly model: TrainModel;
  readonly data: DataSplits;
  readonly rewind: Rewind;
  readonly divergence: Divergence;
  readonly batchSize: number;
  readonly seed: number;
}

const notFound = (message: string): FirstNonFinite => ({ found: false, operation: null, callSite: null, kernel: null, inputs: [], message });

/**
 * fit() over the steps from (epoch, batch) on, stopping after step `last` (or at the
 * first non-finite loss). The batches and dropout masks are those of the run: fit()
 * draws them from the seed, the epoch and the step. Returns the last step run.
 */
async function runSteps(model: TrainModel, request: TraceRequest, from: { epoch: number; batch: number }, last: number): Promise<{ step: number; loss: number }> {
  let ran = { step: -1, loss: Number.NaN };
  const history = await fitAsync(
    model,
    { x: request.data.train.x, y: request.data.train.y },
    {
      epochs: request.divergence.epoch + 1,
      batchSize: request.batchSize,
      seed: request.seed,
      initialEpoch: from.epoch,
      initialBatch: from.batch,
      callbacks: {
        onBatchEnd({ step, loss }) {
          ran = { step, loss };
        },
        shouldStop: () => ran.step >= last,
      },
    },
  );
  if (history.failed) ran = { step: history.failed.step, loss: history.failed.loss };
  return ran;
}

/**
 * Re-runs the diverged step once. The run's model is put back to the params and
 * optimizer state kept last before that step (the run keeps them only where it reads
 * them anyway: at the start and at checkpoints, so tracing costs nothing per step) and
 * replays the steps in between (bit-identical to the run); then a separate model
 * compiled with checkNumerics (one kernel per node, each checked) gets that state and
 * the diverged step's batch and dropout masks. Nothing is written: the run's files,
 * its checkpoint among them, stay as they were; the run's model ends up holding the
 * params before the diverged step.
 */
export async function traceDivergence(request: TraceRequest): Promise<FirstNonFinite> {
  const { divergence, rewind, model } = request;
  for (const [name, value] of rewind.params) model.write(name, value);
  if (rewind.step < divergence.step - 1) {
    const replayed = await runSteps(model, request, rewind, divergence.step - 1);
    if (replayed.step !== divergence.step - 1 || !Number.isFinite(replayed.loss)) {
      return notFound(`the steps before it did not replay as they ran (step ${replayed.step}, loss ${replayed.loss}, replayed from step ${rewind.step}); the step was not re-run`);
    }
  }
  const checked = await compileModelAsync(request.spec, { compiler: (s, options) => compile(s, { ...options, checkNumerics: true }) });
  try {
    for (const name of model.names()) checked.write(name, model.read(name));
    const ran = await runSteps(checked, request, { epoch: divergence.epoch, batch: divergence.batch }, divergence.step);
    if (ran.step !== divergence.step) return notFound("the step was not re-run: the data has no such batch");
    // Data cannot be the cause here: a non-finite feed would have stopped the first op that read it.
    return notFound(
      `the step is finite when re-run with checkNumerics from the same params and batch (loss ${ran.loss}): no op of it makes a non-finite value in float32 one op at a time, ` +
        "so the value came from how the run's backend computed it (fused kernels, threads or the float64 reference) or from outside the step",
    );
  } catch (err) {
    const report = numericsOf(err);
    if (report) return { found: true, operation: report.operation, callSite: report.callSite, kernel: report.kernel, inputs: report.inputs, message: (err as Error).message };
    throw err;
  } finally {
    await checked.close();
  }
}
