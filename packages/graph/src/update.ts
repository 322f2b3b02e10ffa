import type { Shape } from "./shape.ts";
import type { Tensor } from "./tensor.ts";

// Layers, losses and optimizers all speak in these three; defined once here so that a
// value made by one package has the same type in the next.

/** A float32 tensor of any shape: a param, a gradient, a loss term, a state slot. */
export type FloatTensor = Tensor<Shape, "float32">;
/** A float32 scalar node, such as a loss, the step counter or a scheduled learning rate. */
export type Scalar = Tensor<[], "float32">;
/**
 * One symbolic assignment of a training step: `target` (a param, an optimizer's state
 * slot or a layer's running statistic) takes `value` after the step. Read-only, so a
 * list of updates can be passed on without a copy.
 */
export type Update = readonly [target: FloatTensor, value: FloatTensor];
