import { grad, input, param, softmaxCrossEntropy, type AnyTensor, type Tensor } from "@gradfold/graph";
import { adam, sgd, type Update } from "@gradfold/optimizers";
import { isCnn } from "./cnn.ts";
import { buildCnnLoss } from "./cnn-graph.ts";
import type { Hyper, OptimizerKind, Problem } from "./problem.ts";

/** The gradfold training step as graph: what compile() and the reference interpreter both run. */
export interface GradfoldStep {
  readonly x: AnyTensor;
  readonly labels: AnyTensor;
  readonly loss: AnyTensor;
  readonly params: readonly AnyTensor[];
  /** [target, newValue]: params and optimizer state, all computed from the old values. */
  readonly updates: ReadonlyArray<readonly [AnyTensor, AnyTensor]>;
  readonly sizes: { readonly batch: number };
}

/** Forward pass and loss of the MLP (or of the CNN, cnn-graph.ts): ReLU between layers, mean softmax cross-entropy. */
export function buildLoss(problem: Problem): { x: AnyTensor; labels: AnyTensor; loss: AnyTensor; params: AnyTensor[] } {
  const { config } = problem;
  if (isCnn(config)) return buildCnnLoss({ ...problem, config });
  const { layers } = problem.config;
  const x = input("x", ["batch", layers[0]]);
  const labels = input("labels", ["batch"], "int32");
  const params = problem.params.map((p) => param(p.name, p.shape, { init: p.data }) as AnyTensor);
  let h: AnyTensor = x;
  for (let l = 0; l + 1 < layers.length; l++) {
    const z = h.matmul(params[2 * l]).add(params[2 * l + 1]);
    h = l + 2 < layers.length ? z.relu() : z;
  }
  return { x, labels, loss: softmaxCrossEntropy(h, labels).mean(), params };
}

/**
 * The optimizer's updates from @gradfold/optimizers, in torch.optim's formulas:
 * SGD w ← w − lr·g; Adam with bias-corrected moments and a step-count slot.
 */
export function optimizerUpdates(params: readonly AnyTensor[], grads: readonly AnyTensor[], kind: OptimizerKind, hyper: Hyper): Update[] {
  const opt = kind === "sgd" ? sgd({ lr: hyper.lr }) : adam({ lr: hyper.lr, beta1: hyper.beta1, beta2: hyper.beta2, eps: hyper.eps });
  return opt.apply(grads as Tensor[], params as Tensor[]);
}

export function buildStep(problem: Problem): GradfoldStep {
  const { x, labels, loss, params } = buildLoss(problem);
  const grads = grad(loss, params);
  const updates = optimizerUpdates(params, grads, problem.config.optimizer, problem.hyper);
  return { x, labels, loss, params, updates, sizes: { batch: problem.config.batch } };
}

/** The step as compile()'s spec (what compile() and compileThreaded() take). */
export function stepSpec(problem: Problem) {
  const step = buildStep(problem);
  return { inputs: [step.x, step.labels], outputs: { loss: step.loss }, updates: step.updates, sizes: step.sizes };
}
