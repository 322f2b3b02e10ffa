/// <reference lib="webworker" />
import { compile } from "@gradfold/codegen";
import { mulberry32 } from "@gradfold/graph";
import { classifierSteps, type LossChoice } from "../models/classifier.ts";
import { makePoints, sampleBatch, type DatasetName } from "../models/datasets.ts";
import type { ActivationChoice } from "../models/network.ts";
import { optimizerFactories } from "../models/optimizers.ts";
import { copyParams, errorMessage, runs, stamp, yieldToMessages } from "./protocol.ts";

export interface RegionSettings {
  readonly dataset: DatasetName;
  readonly noise: number;
  /** Points in the training set, and again in the test set. */
  readonly points: number;
  readonly hidden: readonly number[];
  readonly activation: ActivationChoice;
  readonly loss: LossChoice;
  readonly l1: number;
  readonly l2: number;
  readonly lr: number;
  readonly steps: number;
}

/** The plot window [−extent, extent]² and its grid of predictions. */
export const extent = 1.5;
export const grid = 60;

export type RegionRequest = { type: "train"; settings: RegionSettings; run?: number } | { type: "stop" };
export type RegionReply =
  | { type: "data"; train: { x: Float32Array; y: Int32Array }; test: { x: Float32Array; y: Int32Array } }
  /** `classOne`: per grid cell (row-major, top row first) how strongly the model says class 1, in [0, 1]. */
  | { type: "progress"; step: number; trainLoss: number; testLoss: number; trainAccuracy: number; testAccuracy: number; classOne: Float32Array; done: boolean }
  | { type: "error"; message: string };

const post = (reply: RegionReply, run?: number) => postMessage(stamp(run, reply));
const training = runs();
const batch = 32;

const lattice = (() => {
  const x = new Float32Array(grid * grid * 2);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      x[2 * (r * grid + c)] = -extent + (2 * extent * (c + 0.5)) / grid;
      x[2 * (r * grid + c) + 1] = extent - (2 * extent * (r + 0.5)) / grid;
    }
  }
  return x;
})();

async function train(s: RegionSettings, run?: number) {
  const token = training.begin();
  const binary = s.loss !== "cross-entropy";
  const steps = classifierSteps(
    {
      net: { inputs: 2, hidden: s.hidden, outputs: binary ? 1 : 2, activation: s.activation, init: s.activation === "relu" ? "he" : "glorot", seed: 2 },
      loss: s.loss,
      l1: s.l1,
      l2: s.l2,
      batch,
      evalBatch: s.points,
    },
    optimizerFactories.adam({ lr: s.lr }),
  );
  const trainStep = compile(steps.train);
  const evalStep = compile(steps.eval);
  const predictStep = compile(steps.predict(grid * grid));
  const trainSet = makePoints(s.dataset, s.points, s.noise, 1);
  const testSet = makePoints(s.dataset, s.points, s.noise, 2);
  post({ type: "data", train: { x: trainSet.x, y: trainSet.y }, test: { x: testSet.x, y: testSet.y } }, run);
  const random = mulberry32(9);
  const x = new Float32Array(batch * 2);
  const y = new Int32Array(batch);
  for (let i = 1; i <= s.steps; i++) {
    sampleBatch(trainSet, random, x, y);
    trainStep.run({ x, y });
    if (i % 20 === 0 || i === s.steps) {
      copyParams(trainStep, evalStep, steps.paramNames);
      copyParams(trainStep, predictStep, steps.paramNames);
      const onTrain = evalStep.run({ x: trainSet.x, y: trainSet.y });
      const [trainLoss, trainAccuracy] = [onTrain.loss[0], onTrain.accuracy[0]];
      const onTest = evalStep.run({ x: testSet.x, y: testSet.y });
      const scores = predictStep.run({ x: lattice }).scores as Float32Array;
      // Cross-entropy gives p(class 1) in column 1; a ±1 score maps to [0, 1] by clamping.
      const classOne = Float32Array.from({ length: grid * grid }, (_, k) => (binary ? (Math.max(-1, Math.min(1, scores[k])) + 1) / 2 : scores[2 * k + 1]));
      post({ type: "progress", step: i, trainLoss, trainAccuracy, testLoss: onTest.loss[0], testAccuracy: onTest.accuracy[0], classOne, done: i === s.steps }, run);
      await yieldToMessages();
      if (!token.live) return;
    }
  }
}

addEventListener("message", (event: MessageEvent<RegionRequest>) => {
  const request = event.data;
  if (request.type === "stop") training.stop();
  else train(request.settings, request.run).catch((e) => post(errorMessage(e), request.run));
});
