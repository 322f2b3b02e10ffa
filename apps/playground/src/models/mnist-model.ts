import type { ClassifierConfig } from "./classifier.ts";
import { pixels } from "./mnist-data.ts";
import type { OptimizerName, ScheduleName } from "./optimizers.ts";

export const mnistModels = { "softmax regression": [], "784-64-10": [64], "784-128-10": [128], "784-256-128-10": [256, 128] } as const;
export type MnistModelName = keyof typeof mnistModels;

/** The MNIST view's settings; the Under the hood view compiles the same model. */
export interface MnistSettings {
  readonly model: MnistModelName;
  readonly optimizer: OptimizerName;
  readonly lr: number;
  readonly schedule: ScheduleName;
  readonly batch: number;
  readonly steps: number;
}

export const defaultMnistSettings: MnistSettings = { model: "784-128-10", optimizer: "adam", lr: 0.002, schedule: "cosine", batch: 64, steps: 1500 };

export const mnistEvalBatch = 500;

export function mnistClassifier(settings: MnistSettings): ClassifierConfig {
  return {
    net: { inputs: pixels, hidden: mnistModels[settings.model], outputs: 10, activation: "relu", init: "he", seed: 1 },
    loss: "cross-entropy",
    batch: settings.batch,
    evalBatch: mnistEvalBatch,
  };
}
