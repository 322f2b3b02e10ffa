import type { TrainConfig } from "../config.ts";
import { loadCsv } from "../data/csv.ts";
import type { DataSplits } from "../data/dataset.ts";
import { loadMnist } from "../data/mnist.ts";
import type { Progress } from "../report/progress.ts";
import { Rng } from "../rng.ts";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { evaluateSet, syncParams } from "./evaluate-set.ts";
import { cleanStaleTemps } from "../io/durable-write.ts";
import { lossTask, lossUnitScale, type LossName } from "./losses.ts";
import { initialRunState, trainLoop, type Divergence, type LoopOutcome, type RunState } from "./loop.ts";
import { writeCurves } from "./curves.ts";
import { buildPrograms, type TrainingPrograms, type UpdateRule } from "./program.ts";
import { type RunFolder, runFileNames, type StepLoss } from "./run-folder.ts";
import { stateNames, type Step, type StepFactory } from "./step.ts";

export interface CheckpointMeta {
  readonly kind: "gradfold-run";
  readonly config: TrainConfig;
  readonly state: RunState;
}

export interface RunDeps {
  readonly makeStep: StepFactory;
  /** Name of the step backend, for the report. */
  readonly backend: string;
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
  readonly timings: {
    /** Loading data, building the graphs and compiling the steps. */
    readonly setupSeconds: number;
    /** The part of setupSeconds spent creating the two steps (optimize + codegen). */
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

/** The seeded streams of a run, always drawn in this order from the seed. */
export function runStreams(seed: number) {
  const root = new Rng(seed);
  return { init: root.fork(), split: root.fork(), shuffle: root.fork(), dropout: root.fork() };
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
 * Loads the data and builds the programs. The config that comes back is the one the
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
  const stepsPerEpoch = Math.floor(data.train.count / effective.batchSize);
  const programs = buildPrograms(
    { ...effective, loss },
    { features: data.train.features, outputs: data.info.outputs, task: data.info.task },
    scheduledUpdateRule(deps.makeOptimizer, effective, stepsPerEpoch),
    streams.init,
  );
  const lossScale = lossUnitScale[loss](data.info.targetScale?.std ?? 1);
  return { config: effective, streams, data, programs, lossScale, notes };
}

function readState(step: Step, names: readonly string[]): Map<string, Float32Array> {
  return new Map(names.map((n) => [n, step.read(n)]));
}

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
  const { streams, data, programs, lossScale } = built;
  config = built.config;
  const compileStart = performance.now();
  const trainStep = deps.makeStep(programs.train);
  const evalStep = deps.makeStep(programs.eval);
  const compileSeconds = (performance.now() - compileStart) / 1000;
  const slots = stateNames(programs.train);
  for (const note of built.notes) deps.progress.log(note);
  let state: RunState;
  // Per-step losses for the plot; each is also appended to steps.jsonl as its step ends.
  const stepLosses: StepLoss[] = [];
  if (resume) {
    const ckpt = loadCheckpoint<CheckpointMeta>(folder.checkpointPath);
    if (ckpt.meta?.kind !== "gradfold-run") throw new CheckpointError(`${folder.checkpointPath}: not a training-run checkpoint`);
    restoreTensors(trainStep, ckpt.tensors, slots, folder.checkpointPath);
    state = ckpt.meta.state;
    cleanStaleTemps(folder.dir, runFileNames);
    folder.resetMetrics(state.history);
    stepLosses.push(...folder.truncateSteps(state.step));
    deps.progress.log(`resuming ${folder.dir} at epoch ${state.epoch + 1}, batch ${state.batch} (step ${state.step})`);
  } else {
    state = initialRunState(streams.shuffle, streams.dropout);
    folder.startFresh();
    folder.resetMetrics([]);
    folder.truncateSteps(0);
  }
  folder.writeJson("config.json", config);
  folder.appendHistory({ at: new Date().toISOString(), event: resume ? "resume" : "start", step: state.step, ...(resume ? { changes } : { config }) });
  const setupSeconds = (performance.now() - setupStart) / 1000;

  let outcome: LoopOutcome;
  try {
    outcome = await trainLoop(
      programs,
      trainStep,
      evalStep,
      data,
      { ...config, lossScale },
      state,
      {
        checkpoint: (s) => saveCheckpoint<CheckpointMeta>(folder.checkpointPath, { kind: "gradfold-run", config, state: s }, readState(trainStep, slots), folder.files),
        bestSoFar: (s) => saveCheckpoint<CheckpointMeta>(folder.bestPath, { kind: "gradfold-run", config, state: s }, readState(trainStep, programs.paramNames), folder.files),
        epochStart: (epoch, batches) => deps.progress.epochStart(epoch, config.epochs, batches),
        batchDone: (info) => {
          const line = { step: info.step, loss: info.stepLoss };
          stepLosses.push(line);
          folder.appendSteps([line]);
          deps.progress.batch(info);
        },
        epochEnd: (m) => {
          folder.appendMetrics(m);
          deps.progress.epochEnd(m, config.epochs);
        },
        stopRequested: deps.stopRequested,
      },
    );
  } catch (err) {
    deps.progress.stop();
    reportFailure(folder, err as Error, state);
    throw err;
  }
  deps.progress.stop();
  const report = await finish(config, folder, programs, trainStep, evalStep, data, outcome, deps, { setupSeconds, compileSeconds, lossScale });
  folder.writeJson("report.json", report);
  await writeCurves(folder, outcome.state.history, stepLosses);
  return report;
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

function restoreTensors(step: Step, tensors: ReadonlyMap<string, Float32Array>, names: readonly string[], source: string): void {
  for (const name of names) {
    const data = tensors.get(name);
    if (!data) throw new CheckpointError(`${source}: has no tensor ${JSON.stringify(name)}; was it written by another model or optimizer?`);
    try {
      step.write(name, data);
    } catch (err) {
      throw new CheckpointError(`${source}: tensor ${JSON.stringify(name)} does not fit this model: ${(err as Error).message}`);
    }
  }
}

async function finish(
  config: TrainConfig,
  folder: RunFolder,
  programs: TrainingPrograms,
  trainStep: Step,
  evalStep: Step,
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
    backend: deps.backend,
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
    restoreTensors(evalStep, best.tensors, programs.paramNames, folder.bestPath);
    deps.progress.log(`early stop: no better validation loss for ${config.patience} epochs; using epoch ${state.best.epoch}`);
  } else syncParams(trainStep, evalStep, programs.paramNames);
  const testStart = performance.now();
  const test = evaluateSet(evalStep, data.test, data.info, config.evalBatchSize, lossScale);
  timings.testSeconds = (performance.now() - testStart) / 1000;
  const regression = test.regression && { mse: test.regression.mse, mae: test.regression.mae, meanBaselineMse: meanBaselineMse(data) };
  const accuracyText = test.accuracy === null ? "" : `, accuracy ${(100 * test.accuracy).toFixed(2)}%`;
  const regressionText = regression ? `, MSE ${regression.mse.toPrecision(4)}, MAE ${regression.mae.toPrecision(4)} (predicting the mean: MSE ${regression.meanBaselineMse.toPrecision(4)})` : "";
  deps.progress.log(`test: loss ${test.loss.toFixed(4)}${accuracyText}${regressionText} on ${data.test.count} examples; run folder ${folder.dir}`);
  if (test.regression) {
    const { targets, predictions } = test.regression;
    folder.writeFile("predictions.csv", `target,prediction\n${Array.from(targets, (t, i) => `${t},${predictions[i]}\n`).join("")}`);
  }
  // A trained model whose test loss is not finite has diverged, however training ended.
  const status = Number.isFinite(test.loss) ? base.status : "diverged";
  if (status === "diverged") deps.progress.log(`diverged: the test loss is ${test.loss}; try a smaller --lr or --clip-norm`);
  return { ...base, status, testLoss: test.loss, testAccuracy: test.accuracy, confusionMatrix: test.confusion?.counts ?? null, regression, divergence: null, timings };
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
    (folder.hasCheckpoint()
      ? `  the last good checkpoint is kept in ${folder.checkpointPath}; continue from it with a smaller rate or clipping: --resume ${folder.dir} --lr ${lr / 10} --clip-norm 1`
      : `  no checkpoint had been saved yet; start again with a smaller --lr (now ${lr}) or --clip-norm`)
  );
}
