import type { AnyTensor } from "@gradfold/graph";
import {
  adadelta,
  adagrad,
  adam,
  adamax,
  adamw,
  globalNorm,
  type FloatTensor,
  constantSchedule,
  cosineDecay,
  exponentialDecay,
  lion,
  momentum,
  nadam,
  nesterov,
  oneCycle,
  rmsprop,
  sgd,
  stepDecay,
  warmupCosineDecay,
  linearWarmup,
  type Hyper,
  type Optimizer,
  type Schedule,
} from "@gradfold/optimizers";
import { div, grad, greater, scalar, where } from "@gradfold/graph";
import type { TrainConfig } from "../config.ts";
import type { UpdateRule } from "./program.ts";

type Common = { lr: Hyper; weightDecay?: number };

/** Every optimizer of @gradfold/optimizers, by its CLI name, with the config's hyperparameters. */
export const optimizerChoices = {
  sgd: (_c: TrainConfig, o: Common) => sgd(o),
  momentum: (c: TrainConfig, o: Common) => momentum({ ...o, momentum: c.momentum }),
  nesterov: (c: TrainConfig, o: Common) => nesterov({ ...o, momentum: c.momentum }),
  adagrad: (c: TrainConfig, o: Common) => adagrad({ ...o, eps: c.eps }),
  rmsprop: (c: TrainConfig, o: Common) => rmsprop({ ...o, alpha: c.alpha, eps: c.eps }),
  adadelta: (c: TrainConfig, o: Common) => adadelta({ ...o, eps: c.eps }),
  adam: (c: TrainConfig, o: Common) => adam({ ...o, beta1: c.beta1, beta2: c.beta2, eps: c.eps }),
  adamw: (c: TrainConfig, o: Common) => adamw({ ...o, beta1: c.beta1, beta2: c.beta2, eps: c.eps }),
  adamax: (c: TrainConfig, o: Common) => adamax({ ...o, beta1: c.beta1, beta2: c.beta2, eps: c.eps }),
  nadam: (c: TrainConfig, o: Common) => nadam({ ...o, beta1: c.beta1, beta2: c.beta2, eps: c.eps }),
  lion: (c: TrainConfig, o: Common) => lion({ ...o, beta1: c.beta1, beta2: c.beta2 }),
} satisfies Record<string, (c: TrainConfig, o: Common) => Optimizer>;
export type OptimizerName = keyof typeof optimizerChoices;

/** Learning-rate schedules over the whole run (`steps` = epochs × steps per epoch). */
export const scheduleChoices = {
  constant: (c: TrainConfig) => constantSchedule(c.lr),
  step: (c: TrainConfig, perEpoch: number) => stepDecay({ init: c.lr, stepSize: c.lrStepEpochs * perEpoch, gamma: c.lrGamma }),
  exponential: (c: TrainConfig, perEpoch: number) => exponentialDecay({ init: c.lr, gamma: c.lrGamma ** (1 / perEpoch) }),
  cosine: (c: TrainConfig, perEpoch: number) => cosineDecay({ init: c.lr, steps: c.epochs * perEpoch }),
  "warmup-cosine": (c: TrainConfig, perEpoch: number) => warmupCosineDecay({ peak: c.lr, warmupSteps: c.warmupSteps || perEpoch, totalSteps: c.epochs * perEpoch }),
  warmup: (c: TrainConfig, perEpoch: number) => linearWarmup({ peak: c.lr, steps: c.warmupSteps || perEpoch }),
  "one-cycle": (c: TrainConfig, perEpoch: number) => oneCycle({ maxLr: c.lr, totalSteps: c.epochs * perEpoch }),
} satisfies Record<string, (c: TrainConfig, perEpoch: number) => Schedule>;
export type ScheduleName = keyof typeof scheduleChoices;

/** Schedules whose shape is set by the run's length (epochs × steps per epoch): a different --epochs is a different schedule. */
export const scheduleSpansRun: Record<ScheduleName, boolean> = {
  constant: false,
  step: false,
  exponential: false,
  cosine: true,
  "warmup-cosine": true,
  warmup: false,
  "one-cycle": true,
};

/**
 * The optimizer a config names, with its schedule, weight decay and (optionally)
 * clipping of the global gradient norm before the update.
 */
export function makeOptimizer(config: TrainConfig, stepsPerEpoch: number): UpdateRule {
  const choose = optimizerChoices[config.optimizer];
  if (!choose) throw new Error(`unknown optimizer ${JSON.stringify(config.optimizer)}; choose one of ${Object.keys(optimizerChoices).join(", ")}`);
  const lr: Hyper = config.schedule === "constant" ? config.lr : scheduleChoices[config.schedule](config, stepsPerEpoch);
  const opt = choose(config, config.weightDecay === null ? { lr } : { lr, weightDecay: config.weightDecay });
  if (!(config.clipNorm > 0)) return opt as UpdateRule;
  const maxNorm = config.clipNorm;
  return {
    updates(loss: AnyTensor, params: readonly AnyTensor[]) {
      const grads = grad(loss, params);
      // Rescale all gradients together when their global norm exceeds maxNorm (Pascanu et al. 2013).
      const norm = globalNorm(grads as FloatTensor[]);
      const factor = where(greater(norm, maxNorm), div(scalar(maxNorm), norm), scalar(1));
      return opt.apply(
        grads.map((g) => g.mul(factor)),
        params,
      );
    },
  };
}
