import type { TrainConfig } from "../config.ts";
import { loadCsv } from "../data/csv.ts";
import type { DataSplits } from "../data/dataset.ts";
import { loadMnist } from "../data/mnist.ts";
import type { Progress } from "../report/progress.ts";
import { Rng } from "../rng.ts";
import { confusionMatrix } from "@gradfold/nn";
import { compileModelAsync, evaluate, saveWeights, type TrainModel } from "@gradfold/train";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { cleanStaleTemps, writeFileDurable } from "../io/durable-write.ts";
import type { Backend } from "./backends.ts";
import { lossTask, lossUnitScale, type LossName } from "./losses.ts";
import { columnsOf, trainLoop } from "./loop.ts";
import { writeCurves } from "./curves.ts";
import { modelSpec, type UpdateRule } from "./program.ts";
import { type RunFolder, runFileNames, type StepLoss } from "./run-folder.ts";
import { initialRunState, type Divergence, type LoopOutcome, type RunState } from "./run-state.ts";
import { type FirstNonFinite, traceDivergence } from "./trace-divergence.ts";

export interface CheckpointMeta {
  readonly kind: "gradfold-run";
  readonly config: TrainConfig;
  readonly state: RunState;
}

export interface RunDeps {
  /** How steps are compiled (compiled over N threads, or the reference interpreter). */
  readonly backend: Backend;
  readonly makeOptimizer: (config: TrainConfig, stepsPerEpoch: number) => UpdateRule;
  readonly progress: Progress;
  readonly stopRequested: () => boolean;
}

export interface RunReport {
  readonly status: LoopOutcome["status"];
  readonly testLoss: number | null;
  readonly testAccuracy: number | null;
  readonly confusionMatrix: number[][] | null;
  /** Regression: test MSE and MAE in the target's units, and the MSE of predicting the training mean. */
  readonly regression: { readonly mse: number; readonly mae: number; readonly meanBaselineMse: number } | null;
  readonly classNames: readonly string[] | null;
  readonly epochs: number;
  readonly steps: number;
  readonly bestEpoch: number | null;
  readonly divergence: Divergence | null;
  readonly backend: string;
  /** Threads per compiled step (the caller included). */
  readonly threads: number;
  readonly timings: {
    /** Loading data, building the graphs and compiling the steps. */
    readonly setupSeconds: number;
    /** The part of setupSeconds spent compiling the model's steps (optimize + codegen). */
    readonly compileSeconds: number;
    readonly trainSeconds: number;
    readonly perEpochSeconds: number[];
    readonly examplesPerSecond: number[];
    readonly testSeconds: number;
  };
}

/** The splits a config names; the split depends on the seed only, so a resumed run gets the same one. */
export function loadData(config: TrainConfig, splitRng: Rng): DataSplits {
  if (config.data.source === "mnist") {
    return loadMnist({ dir: config.data.dir, validationSize: config.validationSize, limitTrain: config.limitTrain, limitTest: config.limitTest }, splitRng);
  }
  return loadCsv({ ...config.data, validationSize: config.validationSize, testSize: config.testSize }, splitRng);
}

export function resolveLoss(config: TrainConfig, task: "classification" | "regression"): LossName {
  const loss = config.loss === "auto" ? (task === "classification" ? "cross-entropy" : "mse") : config.loss;
  if (lossTask[loss] !== task) throw new Error(`loss ${loss} is for ${lossTask[loss]}, but the data is a ${task} task`);
  return loss;
}

/**
 * The seeded streams of a run, always drawn in this order from the seed. Only `split`
 * is still drawn from; weights, batch order and dropout masks are seeded by the run's
 * seed in @gradfold/nn and @gradfold/train. The forks stay so that the split (and the
 * emitted trainer's) is the one it always was.
 */
export function runStreams(seed: number) {
  const root = new Rng(seed);
  root.fork(); // init
  return { split: root.fork() };
}

/** The update rule a config names; a schedule that cannot be built names the option instead of its internal error. */
export function scheduledUpdateRule(make: RunDeps["makeOptimizer"], config: TrainConfig, stepsPerEpoch: number): UpdateRule {
  try {
    return make(config, stepsPerEpoch);
  } catch (err) {
    throw new Error(
      `--optimizer ${config.optimizer} with --schedule ${config.schedule} cannot be set up for ${config.epochs} epochs of ${stepsPerEpoch} steps ` +
        `(--batch-size ${config.batchSize}): ${(err as Error).message}`,
    );
  }
}

/**
 * Loads the data and describes the model. The config that comes back is the one the
 * run uses: a batch larger than the training set is clamped to it (said in `notes`,
 * with the split that was chosen).
 */
export function buildRun(config: TrainConfig, deps: Pick<RunDeps, "makeOptimizer">) {
  const streams = runStreams(config.seed);
  const data = loadData(config, streams.split);
  const loss = resolveLoss(config, data.info.task);
  const notes = [`data: ${data.train.count} training, ${data.validation.count} validation, ${data.test.count} test examples`];
  let effective = config;
  if (config.batchSize > data.train.count) {
    notes.push(`--batch-size ${config.batchSize} is larger than the ${data.train.count} training examples; using batches of ${data.train.count}`);
    effective = { ...config, batchSize: data.train.count };
  }
  // Every example is trained: the last batch of an epoch is smaller (PyTorch's drop_last=False).
  const stepsPerEpoch = Math.ceil(data.train.count / effective.batchSize);
  const spec = modelSpec(
    { ...effective, loss },
    { features: data.train.features, outputs: data.info.outputs, task: data.info.task },
    scheduledUpdateRule(deps.makeOptimizer, effective, stepsPerEpoch),
  );
  const lossScale = lossUnitScale[loss](data.info.targetScale?.std ?? 1);
  return { config: effective, data, spec, lossScale, notes };
}

/** Compiles the model and, ahead of use, its steps for the sizes this run meets (the last partial batches). */
async function compileRun(built: ReturnType<typeof buildRun>, backend: Backend): Promise<TrainModel> {
  const { config, data, spec } = built;
  const model = await compileModelAsync(spec, { compiler: backend.compiler });
  const sizes = (rows: number, batch: number) => [Math.min(batch, rows), rows % batch].filter((n) => n > 0);
  const wanted = new Set([...sizes(data.train.count, config.batchSize), ...sizes(data.validation.count, config.evalBatchSize), ...sizes(data.test.count, config.evalBatchSize)]);
  // At once: with threads each prepared size starts its own workers, which boot in parallel.
  const prepared = await Promise.allSettled([...wanted].map((batch) => model.prepare({ batch })));
  const failed = prepared.find((p) => p.status === "rejected");
  if (failed) {
    await model.close();
    throw failed.reason;
  }
  return model;
}

function readState(model: TrainModel, names: readonly string[]): Map<string, Float32Array> {
  return new Map(names.map((n) => [n, model.read(n)]));
}

/** The trained weights (and batch-norm statistics): the params of the predict entry. */
const weightNames = (model: TrainModel) => model.entries.predict.params.map((p) => p.name);

/** What a resume changed: setting → old and new value (recorded in config-history.jsonl). */
export type ConfigChanges = Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;

/**
 * One training run into `folder`: fresh, or resumed from the folder's checkpoint.
 * Nothing in the folder changes until the data is loaded and the steps compiled, so a
 * run that fails at start leaves an earlier run's files as they were. Writes
 * config.json, config-history.jsonl, metrics.jsonl and steps.jsonl (appended as
 * training goes), checkpoint.bin, best.bin, report.json and the curves, every one
 * durably. A write that fails ends the run with an error naming the file (report.json
 * then says "failed" if it can still be written): it never reports "completed".
 */
export async function runTraining(config: TrainConfig, folder: RunFolder, resume: boolean, deps: RunDeps, changes: ConfigChanges = {}): Promise<RunReport> {
  const setupStart = performance.now();
  const built = buildRun(config, deps);
  const { data, lossScale } = built;
  config = built.config;
  const compileStart = performance.now();
  const model = await compileRun(built, deps.backend);
  const compileSeconds = (performance.now() - compileStart) / 1000;
  try {
    const slots = model.names();
    for (const note of built.notes) deps.progress.log(note);
    let state: RunState;
    // Per-step losses for the plot; each is also appended to steps.jsonl as its step ends.
    const stepLosses: StepLoss[] = [];
    if (resume) {
      const ckpt = loadCheckpoint<CheckpointMeta>(folder.checkpointPath);
      if (ckpt.meta?.kind !== "gradfold-run") throw new CheckpointError(`${folder.checkpointPath}: not a training-run checkpoint`);
      restoreTensors(model, ckpt.tensors, slots, folder.checkpointPath);
      state = ckpt.meta.state;
      cleanStaleTemps(folder.dir, runFileNames);
      folder.resetMetrics(state.history);
      stepLosses.push(...folder.truncateSteps(state.step));
      deps.progress.log(`resuming ${folder.dir} at epoch ${state.epoch + 1}, batch ${state.batch} (step ${state.step})`);
    } else {
      state = initialRunState();
      folder.startFresh();
      folder.resetMetrics([]);
      folder.truncateSteps(0);
    }
    folder.writeJson("config.json", config);
    folder.appendHistory({ at: new Date().toISOString(), event: resume ? "resume" : "start", step: state.step, ...(resume ? { changes } : { config }) });
    const setupSeconds = (performance.now() - setupStart) / 1000;

    // Step lines go to steps.jsonl in batches (a file append per step cost ~0.1 ms, a few % of a
    // step): at least every half second, and all of them before each checkpoint, so the file
    // always covers the checkpoint a resume starts from (it truncates the lines after it).
    let unwritten: StepLoss[] = [];
    let writtenAt = performance.now();
    const writeSteps = () => {
      folder.appendSteps(unwritten);
      unwritten = [];
      writtenAt = performance.now();
    };
    let outcome: LoopOutcome;
    try {
      outcome = await trainLoop(model, data, { ...config, lossScale }, state, {
        checkpoint: (s) => {
          writeSteps();
          saveCheckpoint<CheckpointMeta>(folder.checkpointPath, { kind: "gradfold-run", config, state: s }, readState(model, slots), folder.files);
        },
        bestSoFar: (s) => saveCheckpoint<CheckpointMeta>(folder.bestPath, { kind: "gradfold-run", config, state: s }, readState(model, weightNames(model)), folder.files),
        epochStart: (epoch, batches) => deps.progress.epochStart(epoch, config.epochs, batches),
        batchDone: (info) => {
          const line = { step: info.step, loss: info.stepLoss };
          stepLosses.push(line);
          unwritten.push(line);
          if (performance.now() - writtenAt >= 500) writeSteps();
          deps.progress.batch(info);
        },
        epochEnd: (m) => {
          folder.appendMetrics(m);
          deps.progress.epochEnd(m, config.epochs);
        },
        stopRequested: deps.stopRequested,
      });
    } catch (err) {
      deps.progress.stop();
      try {
        writeSteps();
      } catch {
        // The run has failed already; that error is the one to report.
      }
      reportFailure(folder, err as Error, state);
      throw err;
    }
    writeSteps();
    deps.progress.stop();
    if (outcome.status === "diverged") outcome = await traced(outcome, model, built, deps);
    const report = await finish(config, folder, model, data, outcome, deps, { setupSeconds, compileSeconds, lossScale });
    folder.writeJson("report.json", report);
    await writeCurves(folder, outcome.state.history, stepLosses);
    return report;
  } finally {
    await model.close();
  }
}

/**
 * A diverged outcome with what re-running its step with checkNumerics found. A re-run
 * that cannot be done says why instead; it never turns a divergence into a failure.
 */
async function traced(outcome: Extract<LoopOutcome, { status: "diverged" }>, model: TrainModel, built: ReturnType<typeof buildRun>, deps: RunDeps): Promise<LoopOutcome> {
  const { divergence, rewind } = outcome;
  deps.progress.log(`re-running step ${divergence.step} with checkNumerics to find the first non-finite value…`);
  let firstNonFinite: FirstNonFinite;
  try {
    firstNonFinite = await traceDivergence({ spec: built.spec, model, data: built.data, rewind, divergence, batchSize: built.config.batchSize, seed: built.config.seed });
  } catch (err) {
    firstNonFinite = {
      found: false,
      operation: null,
      callSite: null,
      kernel: null,
      inputs: [],
      message: `the step could not be re-run with checkNumerics: ${(err as Error).message}`,
    };
  }
  return { ...outcome, divergence: { ...divergence, firstNonFinite } };
}

/** Best effort: report.json says the run failed and why (the disk may be the thing that failed). */
function reportFailure(folder: RunFolder, err: Error, state: RunState): void {
  try {
    folder.writeJson("report.json", { status: "failed", error: err.message, epochs: state.history.length, steps: state.step });
  } catch {
    // The error being thrown already names the file that could not be written.
  }
}

/** The test MSE, in the target's units, of always predicting the training mean (which is 0 once standardised). */
function meanBaselineMse(data: DataSplits): number {
  const std = data.info.targetScale?.std ?? 1;
  let sum = 0;
  for (let i = 0; i < data.test.count; i++) sum += data.test.y[i] * data.test.y[i];
  return data.test.count === 0 ? Number.NaN : (sum / data.test.count) * std * std;
}

function restoreTensors(model: TrainModel, tensors: ReadonlyMap<string, Float32Array>, names: readonly string[], source: string): void {
  for (const name of names) {
    if (!tensors.has(name)) throw new CheckpointError(`${source}: has no tensor ${JSON.stringify(name)}; was it written by another model or optimizer?`);
  }
  for (const name of names) {
    try {
      model.write(name, tensors.get(name)!);
    } catch (err) {
      throw new CheckpointError(`${source}: tensor ${JSON.stringify(name)} does not fit this model: ${(err as Error).message}`);
    }
  }
}

/**
 * Loss, accuracy and confusion matrix (or MSE, MAE and each prediction, in the
 * target's units) over a whole split with the evaluate entry: every example once,
 * the last batch at its own size (no padding).
 */
function evaluateSplit(model: TrainModel, split: DataSplits["test"], info: DataSplits["info"], batchSize: number, lossScale: number) {
  if (split.count === 0) return { loss: Number.NaN, accuracy: null, confusion: null, regression: null };
  const result = evaluate(model, columnsOf(split), { batchSize, keepOutputs: true });
  const output = result.outputs!.output as Float32Array;
  const loss = (result.loss ?? Number.NaN) * lossScale;
  if (info.task === "classification") {
    const confusion = confusionMatrix(output, split.y as Int32Array, info.outputs);
    const correct = confusion.reduce((n, row, c) => n + row[c], 0);
    return { loss, accuracy: correct / split.count, confusion, regression: null };
  }
  const { mean, std } = info.targetScale ?? { mean: 0, std: 1 };
  const targets = Float64Array.from(split.y, (t) => t * std + mean);
  const predictions = Float64Array.from(output, (p) => p * std + mean);
  let squared = 0;
  let absolute = 0;
  for (let i = 0; i < split.count; i++) {
    const error = output[i] - split.y[i];
    squared += error * error;
    absolute += Math.abs(error);
  }
  return { loss, accuracy: null, confusion: null, regression: { mse: (squared / split.count) * std * std, mae: (absolute / split.count) * std, targets, predictions } };
}

async function finish(
  config: TrainConfig,
  folder: RunFolder,
  model: TrainModel,
  data: DataSplits,
  outcome: LoopOutcome,
  deps: RunDeps,
  setup: { setupSeconds: number; compileSeconds: number; lossScale: number },
): Promise<RunReport> {
  const { state } = outcome;
  const { lossScale, ...setupTimes } = setup;
  const timings = {
    ...setupTimes,
    trainSeconds: state.history.reduce((t, m) => t + m.seconds, 0) + state.partial.seconds,
    perEpochSeconds: state.history.map((m) => m.seconds),
    examplesPerSecond: state.history.map((m) => m.examplesPerSecond),
    testSeconds: 0,
  };
  const base = {
    status: outcome.status,
    epochs: state.history.length,
    steps: state.step,
    bestEpoch: state.best?.epoch ?? null,
    backend: deps.backend.name,
    threads: deps.backend.threads,
    classNames: data.info.classNames ?? null,
  };
  if (outcome.status === "interrupted" || outcome.status === "diverged") {
    const divergence = outcome.status === "diverged" ? outcome.divergence : null;
    if (divergence) deps.progress.log(describeDivergence(divergence, folder, config.lr));
    else deps.progress.log(`interrupted: checkpoint saved in ${folder.checkpointPath}; continue with --resume ${folder.dir}`);
    return { ...base, testLoss: null, testAccuracy: null, confusionMatrix: null, regression: null, divergence, timings };
  }
  if (outcome.status === "early-stopped" && state.best) {
    // Early stopping keeps the params of the best validation epoch.
    const best = loadCheckpoint<CheckpointMeta>(folder.bestPath);
    restoreTensors(model, best.tensors, weightNames(model), folder.bestPath);
    deps.progress.log(`early stop: no better validation loss for ${config.patience} epochs; using epoch ${state.best.epoch}`);
  }
  writeFileDurable(folder.weightsPath, saveWeights(model), folder.files);
  const testStart = performance.now();
  const test = evaluateSplit(model, data.test, data.info, config.evalBatchSize, lossScale);
  timings.testSeconds = (performance.now() - testStart) / 1000;
  const regression = test.regression && { mse: test.regression.mse, mae: test.regression.mae, meanBaselineMse: meanBaselineMse(data) };
  const accuracyText = test.accuracy === null ? "" : `, accuracy ${(100 * test.accuracy).toFixed(2)}%`;
  const regressionText = regression
    ? `, MSE ${regression.mse.toPrecision(4)}, MAE ${regression.mae.toPrecision(4)} (predicting the mean: MSE ${regression.meanBaselineMse.toPrecision(4)})`
    : "";
  deps.progress.log(`test: loss ${test.loss.toFixed(4)}${accuracyText}${regressionText} on ${data.test.count} examples; run folder ${folder.dir}`);
  if (test.regression) {
    const { targets, predictions } = test.regression;
    folder.writeFile("predictions.csv", `target,prediction\n${Array.from(targets, (t, i) => `${t},${predictions[i]}\n`).join("")}`);
  }
  // A trained model whose test loss is not finite has diverged, however training ended.
  const status = Number.isFinite(test.loss) ? base.status : "diverged";
  if (status === "diverged") deps.progress.log(`diverged: the test loss is ${test.loss}; try a smaller --lr or --clip-norm`);
  return { ...base, status, testLoss: test.loss, testAccuracy: test.accuracy, confusionMatrix: test.confusion, regression, divergence: null, timings };
}

/** The provenance lines of a divergence message: the op, its call site and kernel, and what it read. */
export function describeFirstNonFinite(f: FirstNonFinite): string {
  if (!f.found || f.operation === null) return `  re-run with checkNumerics: ${f.message}\n`;
  return (
    `  first non-finite value (re-run with checkNumerics): ${f.operation} at ${f.callSite ?? "an op gradfold built (e.g. a gradient)"}, kernel ${f.kernel}; it read:\n` +
    f.inputs.map((line) => `    ${line}\n`).join("")
  );
}

export function describeDivergence(d: Divergence, folder: RunFolder, lr: number): string {
  const norms = d.lastGoodGradNorms
    ? Object.entries(d.lastGoodGradNorms)
        .map(([k, v]) => `${k}=${v.toPrecision(4)}`)
        .join(", ")
    : "none (it diverged on the first step)";
  return (
    `diverged at step ${d.step} (epoch ${d.epoch + 1}, batch ${d.batch + 1}): non-finite ${d.tensors.join(", ")} (loss ${d.loss}).\n` +
    `  last finite gradient norms: ${norms}\n` +
    (d.firstNonFinite ? describeFirstNonFinite(d.firstNonFinite) : "") +
    (folder.hasCheckpoint()
      ? `  the last good checkpoint is kept in ${folder.checkpointPath}; continue from it with a smaller rate or clipping: --resume ${folder.dir} --lr ${lr / 10} --clip-norm 1`
      : `  no checkpoint had been saved yet; start again with a smaller --lr (now ${lr}) or --clip-norm`)
  );
}
