import { grad, input, type AnyTensor, type Tensor } from "@gradfold/graph";
import { cost as costOf, l1, l2, type FloatTensor } from "@gradfold/nn";
import type { Rng } from "../rng.ts";
import { losses, type LossName } from "./losses.ts";
import { buildModel, type Model, type ModelConfig } from "./model.ts";
import type { StepSpec } from "./step.ts";

/** Anything with @gradfold/optimizers' `updates(loss, params)`. */
export interface UpdateRule {
  updates(loss: AnyTensor, params: readonly AnyTensor[]): ReadonlyArray<readonly [AnyTensor, AnyTensor]>;
}

export interface ProgramConfig extends ModelConfig {
  readonly loss: LossName;
  readonly l2: number;
  readonly l1: number;
  readonly batchSize: number;
  readonly evalBatchSize: number;
}

export interface TrainingPrograms {
  readonly model: Model;
  /** Forward, backward and update: outputs `loss` (mean data loss), `predictions`, and `gradNorm/<param>` per param. */
  readonly train: StepSpec;
  /** Forward only, no dropout: outputs per-example `losses` and `predictions`. */
  readonly eval: StepSpec;
  /** Names of the dropout mask inputs of `train`, with their widths. */
  readonly dropoutMasks: ReadonlyArray<{ name: string; width: number }>;
  /** Names of the trainable params, in layer order. */
  readonly paramNames: readonly string[];
}

type Scalar = Tensor<[], "float32">;

export const gradNormPrefix = "gradNorm/";

/**
 * Builds the training and evaluation programs: the model, the per-example loss,
 * the cost (mean loss + L2·Σ‖W‖² + L1·Σ|W| over weights, not biases), the
 * optimizer's updates, and each param's gradient norm (for divergence reports and
 * the gradients experiment; CSE shares the gradient graph with the updates).
 */
export function buildPrograms(
  config: ProgramConfig,
  shape: { features: number; outputs: number; task: "classification" | "regression" },
  optimizer: UpdateRule,
  rng: Rng,
): TrainingPrograms {
  const model = buildModel(config, shape.features, shape.outputs, rng);
  const lossOf = losses[config.loss];
  const targetDtype = shape.task === "classification" ? "int32" : "float32";

  const batch = config.batchSize;
  const x = input("x", ["batch", shape.features]);
  const y = input("y", ["batch"], targetDtype);
  const dropoutMasks = model.dropoutWidths.map((width, i) => ({ name: `dropout${i + 1}`, width }));
  const masks = dropoutMasks.map(({ name, width }) => input(name, ["batch", width]));
  const net = model.forward(x, masks.length > 0 ? masks : undefined);
  const predictions = net.output;
  const dataLoss = lossOf(predictions, y).mean();
  const weights = net.weights as FloatTensor[];
  const penalties = [...(config.l2 > 0 ? [l2(config.l2, weights)] : []), ...(config.l1 > 0 ? [l1(config.l1, weights)] : [])];
  const cost: AnyTensor = costOf(dataLoss as Scalar, penalties);
  const grads = grad(cost, net.params);
  const gradNorms = Object.fromEntries(net.params.map((p, i) => [`${gradNormPrefix}${nameOf(p)}`, grads[i].square().sum().sqrt()]));
  const train: StepSpec = {
    inputs: [x, y, ...masks],
    outputs: { loss: dataLoss, predictions, ...gradNorms },
    updates: optimizer.updates(cost, net.params),
    sizes: { batch },
  };

  const ex = input("x", ["batch", shape.features]);
  const ey = input("y", ["batch"], targetDtype);
  const evalPredictions = model.forward(ex).output;
  const evalSpec: StepSpec = {
    inputs: [ex, ey],
    outputs: { losses: lossOf(evalPredictions, ey), predictions: evalPredictions },
    updates: [],
    sizes: { batch: config.evalBatchSize },
  };
  return { model, train, eval: evalSpec, dropoutMasks, paramNames: net.params.map(nameOf) };
}

export function nameOf(p: AnyTensor): string {
  if (!p.is("param")) throw new Error(`expected a param, got ${p.op}`);
  return p.params.name;
}
