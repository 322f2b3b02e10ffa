import type { StepSpec } from "@gradfold/codegen";
import { cast, grad, greater, input, mean, mul, softmax, type AnyTensor, type Tensor } from "@gradfold/graph";
import { accuracyOf, cost, crossEntropyWithLabels, hinge, l1, l2, squaredError, type FloatTensor, type Penalty } from "@gradfold/nn";
import type { Optimizer } from "@gradfold/optimizers";
import { network, type NetworkConfig } from "./network.ts";

export type LossChoice = "cross-entropy" | "hinge" | "squared";

export interface ClassifierConfig {
  readonly net: NetworkConfig;
  /** Cross-entropy over `net.outputs` classes; hinge and squared error score two classes with one output and targets ±1. */
  readonly loss: LossChoice;
  readonly l1?: number;
  readonly l2?: number;
  readonly batch: number;
  readonly evalBatch: number;
  /** Also output ‖∂J/∂W‖ of each layer's weights as `gradNorm<i>` (first layer 0). */
  readonly gradNorms?: boolean;
}

export interface ClassifierSteps {
  /** Feeds `x` and `y` (int32 labels); outputs `loss` (mean data loss), `accuracy`, optional grad norms; updates params. */
  readonly train: StepSpec;
  /** Same feeds, no updates: `loss` and `accuracy`. */
  readonly eval: StepSpec;
  /** Feeds `x`: `scores`, class probabilities (cross-entropy) or the ±1 score. */
  readonly predict: (batch: number) => StepSpec;
  readonly paramNames: readonly string[];
}

type Scalar = Tensor<[], "float32">;

/** Data loss per example, and accuracy, for labels y ∈ {0..C−1}. */
function lossAndAccuracy(loss: LossChoice, scores: FloatTensor, y: AnyTensor): { perExample: FloatTensor; accuracy: AnyTensor } {
  if (loss === "cross-entropy") {
    const labels = y as Tensor<["batch"], "int32">;
    return { perExample: crossEntropyWithLabels(scores, labels, { reduction: "none" }) as FloatTensor, accuracy: accuracyOf(scores, labels) };
  }
  // Targets ±1 from labels 0/1, in the graph: t = 2y − 1.
  const t = cast(y, "float32").mul(2).sub(1).reshape([scores.shape[0], 1]) as FloatTensor;
  const perExample = loss === "hinge" ? hinge(scores, t, { reduction: "none" }) : squaredError(scores, t, { reduction: "none" });
  return { perExample: perExample as FloatTensor, accuracy: mean(cast(greater(mul(scores, t), 0), "float32")) };
}

/**
 * Training, evaluation and prediction steps of one classifier. Each builds its own
 * graph from the same config, so their params share names and initial values.
 */
export function classifierSteps(config: ClassifierConfig, optimizer: Optimizer): ClassifierSteps {
  const { net: netConfig } = config;
  const binary = config.loss !== "cross-entropy";
  if (binary && netConfig.outputs !== 1) throw new Error(`classifier: ${config.loss} scores two classes with 1 output, got ${netConfig.outputs}`);
  const build = (batch: number | "batch") => {
    const x = input("x", [batch, netConfig.inputs]);
    const y = input("y", [batch], "int32");
    const net = network(netConfig, x);
    return { x, y, net, ...lossAndAccuracy(config.loss, net.output, y) };
  };

  const t = build("batch");
  const dataLoss = t.perExample.mean() as Scalar;
  const penalties: Penalty[] = [];
  if (config.l2) penalties.push(l2(config.l2, t.net.weights));
  if (config.l1) penalties.push(l1(config.l1, t.net.weights));
  const J = cost(dataLoss, penalties);
  const norms: Record<string, AnyTensor> = {};
  if (config.gradNorms) {
    const grads = grad(J, t.net.weights);
    grads.forEach((g, i) => {
      norms[`gradNorm${i}`] = g.square().sum().sqrt();
    });
  }
  const train: StepSpec = {
    inputs: [t.x, t.y],
    outputs: { loss: dataLoss, accuracy: t.accuracy, ...norms },
    updates: optimizer.updates(J, t.net.params),
    sizes: { batch: config.batch },
  };

  const e = build("batch");
  const evalStep: StepSpec = { inputs: [e.x, e.y], outputs: { loss: e.perExample.mean(), accuracy: e.accuracy }, sizes: { batch: config.evalBatch } };

  const predict = (batch: number): StepSpec => {
    const x = input("x", [batch, netConfig.inputs]);
    const scores = network(netConfig, x).output;
    return { inputs: [x], outputs: { scores: binary ? scores : softmax(scores) }, sizes: {} };
  };
  return { train, eval: evalStep, predict, paramNames: t.net.params.map((p) => (p.is("param") ? p.params.name : "")) };
}
