/// <reference lib="webworker" />
import { compile, type CompiledStep } from "@gradfold/codegen";
import { mulberry32 } from "@gradfold/graph";
import { classifierSteps } from "../models/classifier.ts";
import { loadMnist, pixels, type MnistSplit } from "../models/mnist-data.ts";
import { mnistClassifier, mnistEvalBatch, type MnistSettings } from "../models/mnist-model.ts";
import { learningRate, optimizerFactories } from "../models/optimizers.ts";
import { copyParams, errorMessage, runs, stamp, yieldToMessages } from "./protocol.ts";
import { threadPlan, type ThreadPlan } from "./thread-plan.ts";
import { compileSteps } from "./threads.ts";

export type MnistRequest = { type: "train"; settings: MnistSettings; dataUrl: string; run?: number } | { type: "stop" } | { type: "predict"; image: Float32Array };

export type MnistReply =
  | { type: "status"; text: string }
  /** How many threads this run's training and validation steps use, and why (ThreadPlan.text). */
  | ({ type: "threads" } & ThreadPlan)
  | { type: "progress"; step: number; loss: number; accuracy: number; examplesPerSecond: number }
  | { type: "validation"; step: number; loss: number; accuracy: number }
  /** Training ended after `step` steps, all of them or (`stopped`) fewer; the model now answers "predict". */
  | { type: "done"; step: number; stopped: boolean }
  | { type: "prediction"; probabilities: Float32Array }
  | { type: "error"; message: string };

const post = (reply: MnistReply, run?: number) => postMessage(stamp(run, reply));
const training = runs();
let data: Promise<{ train: MnistSplit; test: MnistSplit }> | undefined;
let predictor: { run: (x: Float32Array) => Float32Array } | undefined;

/** Mean loss and accuracy over the test split, in eval-batch chunks (the remainder is dropped). */
function validate(step: { run(f: { x: Float32Array; y: Int32Array }): Record<string, Float32Array | Int32Array> }, test: MnistSplit) {
  let loss = 0;
  let accuracy = 0;
  const batches = Math.floor(test.count / mnistEvalBatch);
  for (let b = 0; b < batches; b++) {
    const from = b * mnistEvalBatch;
    const out = step.run({ x: test.x.subarray(from * pixels, (from + mnistEvalBatch) * pixels), y: test.y.subarray(from, from + mnistEvalBatch) });
    loss += out.loss[0] / batches;
    accuracy += out.accuracy[0] / batches;
  }
  return { loss, accuracy };
}

async function train(settings: MnistSettings, dataUrl: string, run?: number) {
  const token = training.begin();
  post({ type: "status", text: "loading MNIST subset…" }, run);
  data ??= loadMnist(dataUrl);
  const { train: set, test } = await data;
  if (!token.live) return;
  post({ type: "status", text: `compiling (${set.count} training, ${test.count} validation images)…` }, run);
  const optimizer = optimizerFactories[settings.optimizer]({ lr: learningRate(settings.schedule, settings.lr, settings.steps) });
  const steps = classifierSteps(mnistClassifier(settings), optimizer);
  // Training and validation steps are big enough to split across threads; each owns a
  // pool, stopped when this run ends (done, stopped, replaced or failed). Predicting one
  // digit is not worth a thread.
  const { steps: pooled, plan } = await compileSteps([steps.train, steps.eval], threadPlan(crossOriginIsolated, navigator.hardwareConcurrency));
  const [trainStep, evalStep] = pooled;
  post({ type: "threads", ...plan }, run);
  try {
    await trainLoop(settings, set, test, { train: trainStep, eval: evalStep, predict: compile(steps.predict(1)), paramNames: steps.paramNames }, token, run);
  } finally {
    await Promise.all(pooled.map((step) => step.close()));
  }
}

interface MnistSteps {
  readonly train: CompiledStep;
  readonly eval: CompiledStep;
  readonly predict: CompiledStep;
  readonly paramNames: readonly string[];
}

async function trainLoop(settings: MnistSettings, set: MnistSplit, test: MnistSplit, steps: MnistSteps, token: { readonly live: boolean }, run?: number) {
  const { train: trainStep, eval: evalStep, predict: predictStep } = steps;
  const { batch } = settings;
  const x = new Float32Array(batch * pixels);
  const y = new Int32Array(batch);
  const random = mulberry32(7);
  // About 16 validations a run, but at least every 200 steps so long runs show the curve early.
  const evalEvery = Math.min(200, Math.max(25, Math.round(settings.steps / 16)));
  let chunkLoss = 0;
  let chunkAccuracy = 0;
  let chunkSteps = 0;
  let chunkStart = performance.now();
  const finish = (step: number) => {
    copyParams(trainStep, predictStep, steps.paramNames);
    predictor = { run: (image) => predictStep.run({ x: image }).scores as Float32Array };
    post({ type: "done", step, stopped: step < settings.steps }, run);
  };
  for (let step = 1; step <= settings.steps; step++) {
    for (let i = 0; i < batch; i++) {
      const k = Math.floor(random() * set.count);
      x.set(set.x.subarray(k * pixels, (k + 1) * pixels), i * pixels);
      y[i] = set.y[k];
    }
    const out = trainStep.run({ x, y });
    chunkLoss += out.loss[0];
    chunkAccuracy += out.accuracy[0];
    chunkSteps++;
    if (step % 10 === 0 || step === settings.steps) {
      const seconds = (performance.now() - chunkStart) / 1000;
      post({ type: "progress", step, loss: chunkLoss / chunkSteps, accuracy: chunkAccuracy / chunkSteps, examplesPerSecond: (chunkSteps * batch) / Math.max(seconds, 1e-6) }, run);
      if (step % evalEvery === 0 || step === settings.steps) {
        copyParams(trainStep, evalStep, steps.paramNames);
        post({ type: "validation", step, ...validate(evalStep, test) }, run);
      }
      await yieldToMessages();
      // Stopped (or replaced: then the view drops this run's replies).
      if (!token.live) return finish(step);
      chunkLoss = chunkAccuracy = chunkSteps = 0;
      chunkStart = performance.now();
    }
  }
  finish(settings.steps);
}

addEventListener("message", (event: MessageEvent<MnistRequest>) => {
  const request = event.data;
  try {
    if (request.type === "stop") training.stop();
    else if (request.type === "train") train(request.settings, request.dataUrl, request.run).catch((e) => post(errorMessage(e), request.run));
    else if (request.type === "predict") {
      if (!predictor) throw new Error("predict: train a model first");
      if (request.image.length !== pixels) throw new Error(`predict: expected ${pixels} pixels (28×28), got ${request.image.length}`);
      post({ type: "prediction", probabilities: predictor.run(request.image).slice() });
    }
  } catch (e) {
    post(errorMessage(e));
  }
});
