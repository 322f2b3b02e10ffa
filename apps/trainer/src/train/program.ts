import { add, grad, input, mul, scalar, type AnyTensor } from "@gradfold/graph";
import { accuracyOf, kernels, l1, l2, nameOf as paramName, type FloatTensor, type Model } from "@gradfold/nn";
import type { ModelSpec } from "@gradfold/train";
import { losses, type LossName } from "./losses.ts";
import { networkOf, type ModelConfig } from "./network.ts";
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
  readonly seed: number;
}

export interface DataShape {
  readonly features: number;
  readonly outputs: number;
  readonly task: "classification" | "regression";
}

export const gradNormPrefix = "gradNorm/";

/** The train entry's `correct` output: the batch's accuracy (classification only). */
export const batchAccuracy = "accuracy";

/** L2·Σ‖W‖² + L1·Σ|W| over the kernels (not the biases), or nothing. */
function penaltyOf(config: ProgramConfig, net: Model): FloatTensor | undefined {
  const weights = kernels(net);
  const terms = [...(config.l2 > 0 ? [l2(config.l2, weights)] : []), ...(config.l1 > 0 ? [l1(config.l1, weights)] : [])];
  if (terms.length === 0) return undefined;
  return terms.map((t) => mul(t.value, scalar(t.lambda)) as FloatTensor).reduce((a, b) => add(a, b) as FloatTensor);
}

/** Each param's gradient norm (divergence reports, the gradients experiment); CSE shares the gradient graph with the updates. */
function gradNorms(cost: FloatTensor, net: Model): Record<string, AnyTensor> {
  const grads = grad(cost, net.params);
  return Object.fromEntries(net.params.map((p, i) => [`${gradNormPrefix}${paramName(p)}`, grads[i].square().sum().sqrt()]));
}

/**
 * What @gradfold/train's `compileModel` builds the run's model from: the network of
 * nn layers, the mean per-example loss, the penalties (for the optimizer only; the
 * reported loss is the data loss), and the train entry's extra outputs: each param's
 * gradient norm and, for classification, the batch accuracy.
 */
export function modelSpec(config: ProgramConfig, shape: DataShape, optimizer: UpdateRule): ModelSpec<FloatTensor> {
  const x = input("x", ["batch", shape.features]);
  const y = input("y", ["batch"], shape.task === "classification" ? "int32" : "float32");
  const lossOf = losses[config.loss];
  return {
    network: networkOf(config, shape.outputs, config.seed),
    inputs: x,
    targets: [y],
    loss: (output) => lossOf(output, y).mean() as FloatTensor,
    penalty: config.l1 > 0 || config.l2 > 0 ? (net: Model) => penaltyOf(config, net)! : undefined,
    optimizer: optimizer as ModelSpec<FloatTensor>["optimizer"],
    sizes: { batch: config.batchSize },
    trainOutputs: ({ output, cost, net }) => ({
      ...gradNorms(cost, net),
      ...(shape.task === "classification" ? { [batchAccuracy]: accuracyOf(output, y as never) } : {}),
    }),
  };
}

export interface TrainingPrograms {
  /** The train entry of the run's model, as one step spec: outputs `loss`, `gradNorm/<param>`, `accuracy`; the optimizer's updates. */
  readonly train: Omit<StepSpec, "sizes">;
  /** The evaluate entry: outputs `loss` (the batch mean) and `output`, no updates. */
  readonly eval: Omit<StepSpec, "sizes">;
  /** The dropout layers of `train`: mask input name, width, rate and the seed of its mask stream (values 0 or 1; the graph scales). */
  readonly dropoutMasks: ReadonlyArray<{ name: string; width: number }>;
  /** Names of the trainable params, in layer order. */
  readonly paramNames: readonly string[];
}

/**
 * The emitted standalone trainer's steps (it runs its own loop over single steps):
 * the train and evaluate entries `compileModel` builds from `modelSpec`, the same
 * graphs output for output, so the same kernels and the same numbers.
 */
export function buildPrograms(config: ProgramConfig, shape: DataShape, optimizer: UpdateRule): TrainingPrograms {
  const spec = modelSpec(config, shape, optimizer);
  const [x, y] = [spec.inputs, spec.targets[0]];
  const train = spec.network.build(x, { training: true });
  const loss = spec.loss(train.output, train);
  const penalty = spec.penalty?.(train);
  const cost = penalty ? (loss.add(penalty) as FloatTensor) : loss;
  const masks = train.randomInputs.map((r) => r.input);
  const infer = spec.network.build(x, { training: false });
  return {
    train: {
      inputs: [x, y, ...masks],
      outputs: { loss, ...spec.trainOutputs!({ output: train.output, loss, cost, net: train }) },
      updates: [...optimizer.updates(cost, train.params), ...train.updates],
    },
    eval: { inputs: [x, y], outputs: { loss: spec.loss(infer.output, infer), output: infer.output }, updates: [] },
    dropoutMasks: masks.map((m) => ({ name: inputName(m), width: m.shape[1] as number })),
    paramNames: train.params.map(paramName),
  };
}

const inputName = (t: AnyTensor) => (t.is("input") ? t.params.name : paramName(t));
