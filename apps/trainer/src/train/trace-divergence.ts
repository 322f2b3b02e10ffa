import { compile } from "@gradfold/codegen";
import { compileModelAsync, type EntriesModel, fitAsync, type ModelSpec } from "@gradfold/train";
import type { DataSplits } from "../data/dataset.ts";
import type { Divergence } from "./run-state.ts";

/** The params and optimizer state a model held before a step, by slot name. */
export type ParamSnapshot = ReadonlyMap<string, Float32Array>;

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
export function takeSnapshot(model: EntriesModel): ParamSnapshot {
  return new Map(model.names().map((n) => [n, model.read(n)]));
}

// checkNumerics: <what> (built at <site>|built by gradfold) produced <v> at element <i> (kernel <k>); nothing was updated. It read:\n  <input>…
const reported = /^checkNumerics: (.+?) \((?:built at (.+)|built by gradfold)\) produced .+? \(kernel ([^)]+)\); nothing was updated\. It read:\n([\s\S]*)$/;

/** The parts of a checkNumerics error; the whole message is kept whatever its shape. */
export function parseNumericsError(message: string): FirstNonFinite {
  const m = reported.exec(message);
  if (!m) return { found: true, operation: null, callSite: null, kernel: null, inputs: [], message };
  const inputs = m[4].split("\n").map((l) => l.trim()).filter((l) => l !== "" && l !== "nothing");
  return { found: true, operation: m[1], callSite: m[2] ?? null, kernel: m[3], inputs, message };
}

export interface TraceRequest {
  readonly spec: ModelSpec<unknown>;
  readonly data: DataSplits;
  /** The params and optimizer state before the diverged step. */
  readonly before: ParamSnapshot;
  readonly divergence: Divergence;
  readonly batchSize: number;
  readonly seed: number;
}

/**
 * Re-runs the diverged step once: a separate model compiled with checkNumerics (one
 * kernel per node, each checked), loaded with the params and optimizer state from
 * before that step, fed the same batch and dropout masks (fit() draws both from the
 * seed, epoch and step). The run's own model and files are not touched.
 */
export async function traceDivergence(request: TraceRequest): Promise<FirstNonFinite> {
  const { divergence, before } = request;
  const model = await compileModelAsync(request.spec, { compileStep: (s, options) => compile(s, { ...options, checkNumerics: true }) });
  try {
    for (const [name, value] of before) model.write(name, value);
    let ran = false;
    let loss = Number.NaN;
    await fitAsync(model, { x: request.data.train.x, y: request.data.train.y }, {
      epochs: divergence.epoch + 1,
      batchSize: request.batchSize,
      seed: request.seed,
      initialEpoch: divergence.epoch,
      initialBatch: divergence.batch,
      callbacks: {
        onBatchEnd(log) {
          ran = true;
          loss = log.loss;
        },
        shouldStop: () => ran,
      },
    });
    // Data cannot be the cause here: a non-finite feed would have stopped the first op that read it.
    const message = ran
      ? `the step is finite when re-run with checkNumerics from the same params and batch (loss ${loss}): no op of it makes a non-finite value in float32 one op at a time, so the value came from how the run's backend computed it (fused kernels, threads or the float64 reference) or from outside the step`
      : "the step was not re-run: the data has no such batch";
    return { found: false, operation: null, callSite: null, kernel: null, inputs: [], message };
  } catch (err) {
    if (err instanceof RangeError && err.message.startsWith("checkNumerics: ")) return parseNumericsError(err.message);
    throw err;
  } finally {
    await model.close();
  }
}
