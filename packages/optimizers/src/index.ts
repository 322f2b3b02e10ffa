/**
 * The training optimizers (SGD … Adam(W), Lion), schedules, clipping and `chain()`, as graph. (The graph optimizer is `@gradfold/optimize`.)
 *
 * @module @gradfold/optimizers
 */
export type { FloatTensor, Scalar, Schedule, Hyper, Update, TransformContext, TransformResult, GradientTransformation, Optimizer } from "./types.ts";
export { resolveHyper } from "./hyper.ts";
export { slotName, paramName, paramSlot, sharedSlot, targetNamed } from "./slots.ts";
export { chain, identity, mapUpdates, masked, scoped } from "./chain.ts";
export { optimizer, withUpdates, type OptimizerOptions } from "./optimizer.ts";
export { multiSteps } from "./multi-steps.ts";

export { scale, scaleByLearningRate, flipSign } from "./transforms/scale.ts";
export { clipByValue, clipByGlobalNorm, globalNorm } from "./transforms/clip.ts";
export { addDecayedWeights, type DecayOptions } from "./transforms/weight-decay.ts";
export { trace, type TraceOptions } from "./transforms/trace.ts";
export { scaleByAdam, type AdamScaleOptions } from "./transforms/scale-by-adam.ts";
export { scaleByAdamax, type AdamaxScaleOptions } from "./transforms/scale-by-adamax.ts";
export { scaleByNadam, type NadamScaleOptions } from "./transforms/scale-by-nadam.ts";
export { scaleByRms, type RmsScaleOptions } from "./transforms/scale-by-rms.ts";
export { scaleByRss, type RssScaleOptions } from "./transforms/scale-by-rss.ts";
export { scaleByAdadelta, type AdadeltaScaleOptions } from "./transforms/scale-by-adadelta.ts";
export { scaleByLion, type LionScaleOptions } from "./transforms/scale-by-lion.ts";

export { sgd, momentum, nesterov, type SgdOptions } from "./optimizers/sgd.ts";
export { adam, adamw, type AdamOptions } from "./optimizers/adam.ts";
export {
  adagrad,
  rmsprop,
  adadelta,
  adamax,
  nadam,
  type AdagradOptions,
  type RmspropOptions,
  type AdadeltaOptions,
  type AdamaxOptions,
  type NadamOptions,
} from "./optimizers/adaptive.ts";
export { lion, type LionOptions } from "./optimizers/lion.ts";
export type { CommonOptions } from "./optimizers/common.ts";

export {
  constantSchedule,
  exponentialDecay,
  stepDecay,
  multiStepDecay,
  linearSchedule,
  linearWarmup,
  joinSchedules,
} from "./schedules/basic.ts";
export { cosineDecay, cosineWarmRestarts, warmupCosineDecay } from "./schedules/cosine.ts";
export { oneCycle, oneCycleMomentum, type OneCycleOptions, type OneCycleMomentumOptions } from "./schedules/one-cycle.ts";
export { scheduleValues } from "./schedules/values.ts";
