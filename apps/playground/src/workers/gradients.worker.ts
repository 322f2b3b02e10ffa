/// <reference lib="webworker" />
import { compile } from "@gradfold/codegen";
import { mulberry32 } from "@gradfold/graph";
import { classifierSteps } from "../models/classifier.ts";
import { makePoints, sampleBatch } from "../models/datasets.ts";
import type { ActivationChoice, InitChoice } from "../models/network.ts";
import { optimizerFactories } from "../models/optimizers.ts";
import { errorMessage, runs, stamp, yieldToMessages } from "./protocol.ts";

export interface DepthSettings {
  readonly depth: number;
  readonly width: number;
  readonly activation: ActivationChoice;
  readonly residual: boolean;
  readonly init: InitChoice;
  readonly lr: number;
  readonly steps: number;
}

export type DepthRequest = { type: "train"; settings: DepthSettings; run?: number } | { type: "stop" };
export type DepthReply =
  /** ‖∂J/∂W‖ of each layer's weights, first layer first (the last entry is the output layer). */
  { type: "norms"; step: number; loss: number; norms: Float64Array; done: boolean } | { type: "error"; message: string };

const post = (reply: DepthReply, run?: number) => postMessage(stamp(run, reply));
const training = runs();
const batch = 64;

async function train(s: DepthSettings, run?: number) {
  const token = training.begin();
  if (!Number.isInteger(s.depth) || s.depth < 1 || s.depth > 64) throw new Error(`depth must be an integer from 1 to 64, got ${s.depth}`);
  const steps = classifierSteps(
    {
      net: { inputs: 2, hidden: Array.from({ length: s.depth }, () => s.width), outputs: 2, activation: s.activation, residual: s.residual, init: s.init, seed: 3 },
      loss: "cross-entropy",
      batch,
      evalBatch: batch,
      gradNorms: true,
    },
    optimizerFactories.adam({ lr: s.lr }),
  );
  const step = compile(steps.train);
  const layers = s.depth + 1;
  const points = makePoints("circles", 512, 0.2, 11);
  const random = mulberry32(5);
  const x = new Float32Array(batch * 2);
  const y = new Int32Array(batch);
  for (let i = 1; i <= s.steps; i++) {
    sampleBatch(points, random, x, y);
    const out = step.run({ x, y });
    if (i === 1 || i % 5 === 0 || i === s.steps) {
      const norms = Float64Array.from({ length: layers }, (_, l) => out[`gradNorm${l}`][0]);
      post({ type: "norms", step: i, loss: out.loss[0], norms, done: i === s.steps }, run);
      await yieldToMessages();
      if (!token.live) return;
    }
  }
}

addEventListener("message", (event: MessageEvent<DepthRequest>) => {
  const request = event.data;
  if (request.type === "stop") training.stop();
  else train(request.settings, request.run).catch((e) => post(errorMessage(e), request.run));
});
