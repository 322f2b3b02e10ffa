import { adagrad, adam, cosineDecay, lion, momentum, nesterov, rmsprop, sgd, stepDecay, type Hyper, type Optimizer } from "@gradfold/optimizers";

export const optimizerNames = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "lion"] as const;
export type OptimizerName = (typeof optimizerNames)[number];

/** The hyperparameters a view can set; each optimizer reads the ones it has. */
export interface OptimizerSettings {
  readonly lr: Hyper;
  /** μ of momentum and Nesterov. */
  readonly momentum?: number;
  /** β₁, β₂ of Adam and Lion. */
  readonly beta1?: number;
  readonly beta2?: number;
  /** α, RMSProp's decay. */
  readonly alpha?: number;
}

const betas = (s: OptimizerSettings) => ({ ...(s.beta1 === undefined ? {} : { beta1: s.beta1 }), ...(s.beta2 === undefined ? {} : { beta2: s.beta2 }) });

/** @gradfold/optimizers' optimizers by name; the state slots are prefixed with the name. */
export const optimizerFactories: Record<OptimizerName, (s: OptimizerSettings) => Optimizer> = {
  sgd: (s) => sgd({ lr: s.lr }),
  momentum: (s) => momentum({ lr: s.lr, momentum: s.momentum ?? 0.9 }),
  nesterov: (s) => nesterov({ lr: s.lr, momentum: s.momentum ?? 0.9 }),
  adagrad: (s) => adagrad({ lr: s.lr }),
  rmsprop: (s) => rmsprop({ lr: s.lr, alpha: s.alpha ?? 0.99 }),
  adam: (s) => adam({ lr: s.lr, ...betas(s) }),
  lion: (s) => lion({ lr: s.lr, ...betas(s) }),
};

export type ScheduleName = "constant" | "cosine" | "step";

/** A learning rate for `steps` steps: constant, cosine decay to 0, or ÷10 at half way. */
export function learningRate(schedule: ScheduleName, lr: number, steps: number): Hyper {
  if (schedule === "cosine") return cosineDecay({ init: lr, steps });
  if (schedule === "step") return stepDecay({ init: lr, stepSize: Math.max(1, Math.floor(steps / 2)), gamma: 0.1 });
  return lr;
}
