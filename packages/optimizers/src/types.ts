import type { FloatTensor, Scalar, Tensor, Update } from "@gradfold/graph";

// The tensor and update types are graph's, re-exported for this package's users.
export type { FloatTensor, Scalar, Update };

/**
 * A learning-rate (or any hyperparameter) schedule: a graph function of the step
 * counter, which holds the number of updates already applied (0 on the first).
 * Being graph, a schedule compiles into the training step and needs no host code.
 */
export type Schedule = (step: Scalar) => Scalar;

/** A hyperparameter: a plain number, a schedule of the step, or a scalar tensor (e.g. an input fed each step). */
export type Hyper = number | Schedule | Scalar;

/** What a transform sees besides the incoming updates; read-only, shared by every transform of one optimizer. */
export interface TransformContext {
  /** Prefix of every state slot name of this optimizer instance, e.g. "adam". */
  readonly prefix: string;
  /** The params being optimized, in the same order as the updates. */
  readonly params: readonly FloatTensor[];
  /** The optimizer's step counter slot: updates applied before this one (0 on the first). */
  readonly step: Scalar;
}

/** The result of one transform: new updates (one per param) and assignments to its own state slots. */
export interface TransformResult {
  readonly updates: readonly FloatTensor[];
  readonly state: readonly Update[];
}

/**
 * A pure gradient transformation, optax style: maps updates (gradients at the start
 * of a chain) to new updates, reading its state slots and returning their new
 * values. It builds graph and never mutates anything.
 */
export interface GradientTransformation {
  /** Short name of the transform, for error messages. */
  readonly label: string;
  readonly update: (updates: readonly FloatTensor[], ctx: TransformContext) => TransformResult;
}

/** An optimizer: a transform chain bound to a name, producing param and state updates. */
export interface Optimizer {
  /** Prefix of its state slot names, e.g. "adam" gives "adam/step", "adam/W1/m". */
  readonly name: string;
  /** Differentiates `loss` with respect to `params` and returns the updates of the step. */
  updates(loss: Tensor, params: readonly Tensor[]): Update[];
  /** The updates of the step from given gradients (one per param, same shapes). */
  apply(grads: readonly Tensor[], params: readonly Tensor[]): Update[];
}
