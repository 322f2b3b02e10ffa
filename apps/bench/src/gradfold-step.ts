import { grad, input, param, pow, scalar, softmaxCrossEntropy, type AnyTensor } from "@gradfold/graph";
import type { Hyper, Problem } from "./problem.ts";

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

/** Forward pass and loss of the MLP: ReLU between layers, mean softmax cross-entropy. */
export function buildLoss(problem: Problem): { x: AnyTensor; labels: AnyTensor; loss: AnyTensor; params: AnyTensor[] } {
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

/** Plain SGD: w ← w − lr·g. */
export function sgdUpdates(params: readonly AnyTensor[], grads: readonly AnyTensor[], hyper: Hyper): Array<[AnyTensor, AnyTensor]> {
  return params.map((w, i) => [w, w.sub(grads[i].mul(hyper.lr))]);
}

/**
 * Adam as in torch.optim.Adam: m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g²,
 * w ← w − lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + eps), with the step count t
 * a state param incremented first. Written here until @gradfold/optimizers lands.
 */
export function adamUpdates(params: readonly AnyTensor[], grads: readonly AnyTensor[], hyper: Hyper): Array<[AnyTensor, AnyTensor]> {
  const { lr, beta1, beta2, eps } = hyper;
  const t = param("adam.t", [], { init: 0 });
  const t1 = t.add(1);
  const correction1 = scalar(1).sub(pow(scalar(beta1), t1));
  const correction2 = scalar(1).sub(pow(scalar(beta2), t1));
  const updates: Array<[AnyTensor, AnyTensor]> = [[t, t1]];
  params.forEach((w, i) => {
    const g = grads[i];
    const name = (w.params as { name: string }).name;
    const m = param(`adam.m.${name}`, w.shape as number[], { init: 0 });
    const v = param(`adam.v.${name}`, w.shape as number[], { init: 0 });
    const m1 = m.mul(beta1).add(g.mul(1 - beta1));
    const v1 = v.mul(beta2).add(g.square().mul(1 - beta2));
    const w1 = w.sub(m1.div(correction1).mul(lr).div(v1.div(correction2).sqrt().add(eps)));
    updates.push([m, m1], [v, v1], [w, w1]);
  });
  return updates;
}

export function buildStep(problem: Problem): GradfoldStep {
  const { x, labels, loss, params } = buildLoss(problem);
  const grads = grad(loss, params);
  const updates = problem.config.optimizer === "sgd" ? sgdUpdates(params, grads, problem.hyper) : adamUpdates(params, grads, problem.hyper);
  return { x, labels, loss, params, updates, sizes: { batch: problem.config.batch } };
}
