import type { TrainConfig } from "../config.ts";
import { loadCsv } from "../data/csv.ts";
import type { DataSplits } from "../data/dataset.ts";
import { loadMnist } from "../data/mnist.ts";
import type { Progress } from "../report/progress.ts";
import { Rng } from "../rng.ts";
import { CheckpointError, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { evaluateSet, syncParams } from "./evaluate-set.ts";
import { lossTask, type LossName } from "./losses.ts";
import { initialRunState, trainLoop, type Divergence, type LoopOutcome, type RunState } from "./loop.ts";
import { writeCurves } from "./curves.ts";
import { buildPrograms, type TrainingPrograms, type UpdateRule } from "./program.ts";
import type { RunFolder, StepLoss } from "./run-folder.ts";
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

export function buildRun(config: TrainConfig, deps: Pick<RunDeps, "makeOptimizer">) {
  const streams = runStreams(config.seed);
  const data = loadData(config, streams.split);
  const loss = resolveLoss(config, data.info.task);
  const stepsPerEpoch = Math.floor(data.train.count / config.batchSize);
  const programs = buildPrograms(
    { ...config, loss },
    { features: data.train.features, outputs: data.info.outputs, task: data.info.task },
    deps.makeOptimizer(config, stepsPerEpoch),
    streams.init,
  );
  return { streams, data, programs };
}

function readState(step: Step, names: readonly string[]): Map<string, Float32Array> {
  return new Map(names.map((n) => [n, step.read(n)]));
}

/**
 * One training run into `folder`: fresh, or resumed from the folder's checkpoint
 * (whose config wins). Writes config.json, metrics.jsonl, checkpoint.bin, best.bin,
 * report.json and the curves.
 */
export async function runTraining(config: TrainConfig, folder: RunFolder, resume: boolean, deps: RunDeps): Promise<RunReport> {
  const setupStart = performance.now();
  const { streams, data, programs } = buildRun(config, deps);
  const compileStart = performance.now();
  const trainStep = deps.makeStep(programs.train);
  const evalStep = deps.makeStep(programs.eval);
  const compileSeconds = (performance.now() - compileStart) / 1000;
  const slots = stateNames(programs.train);
  let state: RunState;
  // Per-step losses: all of them for the plot, the unsaved tail written with each checkpoint.
  const stepLosses: StepLoss[] = [];
  let unsavedFrom = 0;
  folder.create();
  if (resume) {
    const ckpt = loadCheckpoint<CheckpointMeta>(folder.checkpointPath);
    if (ckpt.meta?.kind !== "gradfold-run") throw new CheckpointError(`${folder.checkpointPath}: not a training-run checkpoint`);
    restoreTensors(trainStep, ckpt.tensors, slots, folder.checkpointPath);
    state = ckpt.meta.state;
    folder.resetMetrics(state.history);
    stepLosses.push(...folder.truncateSteps(state.step));
    deps.progress.log(`resuming ${folder.dir} at epoch ${state.epoch + 1}, batch ${state.batch} (step ${state.step})`);
  } else {
    state = initialRunState(streams.shuffle, streams.dropout);
    folder.resetMetrics([]);
    folder.truncateSteps(0);
  }
  unsavedFrom = stepLosses.length;
  folder.writeJson("config.json", config);
  const setupSeconds = (performance.now() - setupStart) / 1000;

  const outcome = await trainLoop(
    programs,
    trainStep,
    evalStep,
    data,
    config,
    state,
    {
      checkpoint: (s) => {
        folder.appendSteps(stepLosses.slice(unsavedFrom));
        unsavedFrom = stepLosses.length;
        saveCheckpoint<CheckpointMeta>(folder.checkpointPath, { kind: "gradfold-run", config, state: s }, readState(trainStep, slots));
      },
      bestSoFar: (s) => saveCheckpoint<CheckpointMeta>(folder.bestPath, { kind: "gradfold-run", config, state: s }, readState(trainStep, programs.paramNames)),
      epochStart: (epoch, batches) => deps.progress.epochStart(epoch, config.epochs, batches),
      batchDone: (info) => {
        stepLosses.push({ step: info.step, loss: info.stepLoss });
        deps.progress.batch(info);
      },
      epochEnd: (m) => {
        folder.appendMetrics(m);
        deps.progress.epochEnd(m, config.epochs);
      },
      stopRequested: deps.stopRequested,
    },
  );
  deps.progress.stop();
  const report = await finish(config, folder, programs, trainStep, evalStep, data, outcome, deps, { setupSeconds, compileSeconds });
  folder.writeJson("report.json", report);
  await writeCurves(folder, outcome.state.history, stepLosses);
  return report;
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
  setup: { setupSeconds: number; compileSeconds: number },
): Promise<RunReport> {
  const { state } = outcome;
  const timings = {
    ...setup,
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
    if (divergence) deps.progress.log(describeDivergence(divergence, folder));
    else deps.progress.log(`interrupted: checkpoint saved in ${folder.checkpointPath}; continue with --resume ${folder.dir}`);
    return { ...base, testLoss: null, testAccuracy: null, confusionMatrix: null, divergence, timings };
  }
  if (outcome.status === "early-stopped" && state.best) {
    // Early stopping keeps the params of the best validation epoch.
    const best = loadCheckpoint<CheckpointMeta>(folder.bestPath);
    restoreTensors(evalStep, best.tensors, programs.paramNames, folder.bestPath);
    deps.progress.log(`early stop: no better validation loss for ${config.patience} epochs; using epoch ${state.best.epoch}`);
  } else syncParams(trainStep, evalStep, programs.paramNames);
  const testStart = performance.now();
  const test = evaluateSet(evalStep, data.test, data.info, config.evalBatchSize);
  timings.testSeconds = (performance.now() - testStart) / 1000;
  const accuracyText = test.accuracy === null ? "" : `, accuracy ${(100 * test.accuracy).toFixed(2)}%`;
  deps.progress.log(`test: loss ${test.loss.toFixed(4)}${accuracyText} on ${data.test.count} examples; run folder ${folder.dir}`);
  return { ...base, testLoss: test.loss, testAccuracy: test.accuracy, confusionMatrix: test.confusion?.counts ?? null, divergence: null, timings };
}

export function describeDivergence(d: Divergence, folder: RunFolder): string {
  const norms = d.lastGoodGradNorms
    ? Object.entries(d.lastGoodGradNorms)
        .map(([k, v]) => `${k}=${v.toPrecision(4)}`)
        .join(", ")
    : "none (it diverged on the first step)";
  return (
    `diverged at step ${d.step} (epoch ${d.epoch + 1}, batch ${d.batch + 1}): non-finite ${d.tensors.join(", ")} (loss ${d.loss}).\n` +
    `  last finite gradient norms: ${norms}\n` +
    `  ${folder.hasCheckpoint() ? `the last good checkpoint is kept in ${folder.checkpointPath}` : "no checkpoint had been saved yet"}; try a smaller --lr or --clip-norm`
  );
}
