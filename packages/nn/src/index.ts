/**
 * Losses, metrics, initializers, layers and regularizers built from graph ops.
 *
 * @module @gradfold/nn
 */
// Losses
export type { Reduction, Reduced, ReductionOptions } from "./losses/reduction.ts";
export { squaredError, absoluteError, huber } from "./losses/regression.ts";
export { binaryCrossEntropy, binaryCrossEntropyWithLogits } from "./losses/binary-cross-entropy.ts";
export { crossEntropy, crossEntropyWithLabels, crossEntropyWithTargets, type CrossEntropyOptions, type LabelCrossEntropyOptions } from "./losses/cross-entropy.ts";
export { klDivergence, type KlReduction } from "./losses/kl-divergence.ts";
export { hinge, squaredHinge, multiClassHinge, type HingeOptions, type MultiClassHingeOptions } from "./losses/hinge.ts";

// Metrics (measured, not differentiated)
export { accuracy, topKAccuracy, zeroOneLoss, misclassificationRate, confusionMatrix, classScores, argmax, type ClassScores } from "./metrics/classification.ts";
export { accuracyOf, topKAccuracyOf, zeroOneLossOf } from "./metrics/graph-metrics.ts";

// Cost and regularization
export { cost, l2, l1, elasticNet, l2Penalty, l1Penalty, elasticNetPenalty, type Penalty } from "./regularizers/penalties.ts";

// Initializers
export {
  zeros,
  ones,
  constantInit,
  normal,
  uniform,
  truncatedNormal,
  varianceScaling,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  lecunNormal,
  lecunUniform,
  type Initializer,
  type SeedOptions,
  type HeOptions,
  type VarianceScalingOptions,
} from "./init/initializers.ts";
export { orthogonal } from "./init/orthogonal.ts";
export { fans, type FanMode } from "./init/fans.ts";
export { createRng, splitmix32, hashString, combineSeeds, type RandomStream } from "./init/prng.ts";

// Layers
export {
  layerOf,
  asLayer,
  sequential,
  randomFeeds,
  nameOf,
  kernels,
  type Layer,
  type Model,
  type LayerFn,
  type WithFeatures,
  type Update,
  type RandomInput,
  type FloatTensor,
} from "./layers/layer.ts";
export { activations, resolveActivation, silu, type Activation, type ActivationName } from "./layers/activations.ts";
export { defineModel, type ModelDefinition, type BuildOptions } from "./layers/model.ts";
export { trainingMode } from "./layers/scope.ts";
export { dense, type DenseOptions } from "./layers/dense.ts";
export { mlp, type MlpOptions } from "./layers/mlp.ts";
export { residual, concatSkip, denseBlock, type ResidualOptions, type DenseBlockOptions } from "./layers/connections.ts";
export { dropout, dropoutMask, type DropoutOptions } from "./layers/dropout.ts";
export { layerNorm, batchNorm, type LayerNormOptions, type BatchNormOptions } from "./layers/normalization.ts";
export { conv2d, type Conv2dLayerOptions, type WithChannels } from "./layers/conv2d.ts";
export { maxPooling, avgPooling, globalAvgPooling, flatten } from "./layers/pooling.ts";
export { residualConvBlock, type ResidualConvOptions } from "./layers/residual-conv.ts";
