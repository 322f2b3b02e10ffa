import type { LossName } from "./train/losses.ts";
import type { ModelConfig } from "./train/network.ts";
import type { OptimizerName, ScheduleName } from "./train/optimizer-choice.ts";

/** Everything that defines a training run; saved as config.json and inside each checkpoint. */
export interface TrainConfig extends ModelConfig {
  readonly data:
    | { readonly source: "mnist"; readonly dir?: string }
    | { readonly source: "csv"; readonly path: string; readonly target: string; readonly task: "auto" | "classification" | "regression" };
  readonly validationSize: number;
  /** CSV only: examples held out for the final test. */
  readonly testSize: number;
  readonly limitTrain?: number;
  readonly limitTest?: number;
  readonly loss: LossName | "auto";
  readonly l2: number;
  readonly l1: number;
  readonly optimizer: OptimizerName;
  readonly lr: number;
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly alpha: number;
  /** null: the optimizer's own default (0, or 1e-2 for AdamW). */
  readonly weightDecay: number | null;
  readonly schedule: ScheduleName;
  readonly warmupSteps: number;
  /** Decay factor per epoch (exponential) or per `lrStepEpochs` epochs (step). */
  readonly lrGamma: number;
  readonly lrStepEpochs: number;
  readonly clipNorm: number;
  readonly batchSize: number;
  readonly evalBatchSize: number;
  readonly epochs: number;
  readonly patience: number;
  readonly seed: number;
  readonly checkpointEvery: number;
  readonly backend: "auto" | "compiled" | "reference";
  /** Threads per compiled step, the caller included (the CLI's default: every available core). Results do not depend on it. */
  readonly threads: number;
}

/**
 * Settings whose default depends on the model. A CNN learns MNIST in fewer passes
 * than an MLP, and each pass costs far more: 4 epochs of Adam with the cosine
 * schedule reach 99 % (the README's measured run).
 */
export const modelDefaults: Readonly<Record<TrainConfig["model"], Pick<TrainConfig, "epochs">>> = {
  mlp: { epochs: 10 },
  residual: { epochs: 10 },
  cnn: { epochs: 4 },
};

export const defaultConfig: TrainConfig = {
  data: { source: "mnist" },
  validationSize: 5000,
  testSize: 0,
  model: "mlp",
  layers: [256, 128],
  activation: "relu",
  depth: 4,
  width: 128,
  channels: [32, 64],
  kernel: 5,
  dense: 128,
  init: "auto",
  dropout: 0,
  loss: "auto",
  l2: 0,
  l1: 0,
  optimizer: "adam",
  lr: 1e-3,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  alpha: 0.99,
  weightDecay: null,
  schedule: "cosine",
  warmupSteps: 0,
  lrGamma: 0.5,
  lrStepEpochs: 1,
  clipNorm: 0,
  batchSize: 128,
  evalBatchSize: 1000,
  epochs: 10,
  patience: 0,
  seed: 1,
  checkpointEvery: 200,
  backend: "auto",
  threads: 1,
};
