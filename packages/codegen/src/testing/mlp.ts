import { grad, input, mean, param, scalar, softmaxCrossEntropy, type AnyTensor } from "@gradfold/graph";
import type { StepSpec } from "../spec.ts";
/** Seeded generator so tests and benchmarks are reproducible. */
import { mulberry32 as rng } from "@gradfold/graph";

export { rng };

export function randomF32(n: number, random: () => number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (random() * 2 - 1) * scale;
  return out;
}

export function randomLabels(n: number, classes: number, random: () => number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(random() * classes);
  return out;
}

export interface MlpOptions {
  readonly sizes: readonly number[];
  readonly optimizer: "sgd" | "adam";
  readonly lr?: number;
  readonly seed?: number;
  /** Prefix for param names (to test hostile names). */
  readonly names?: (layer: number, kind: "W" | "b") => string;
  readonly inputName?: string;
  readonly labelName?: string;
}

/**
 * MLP with ReLU, mean softmax cross-entropy and SGD or Adam written by hand as graph
 * updates (Adam as PyTorch documents it, with m, v and a step count as param state).
 */
export function mlpStep(options: MlpOptions): { spec: Omit<StepSpec, "sizes">; params: AnyTensor[]; x: AnyTensor; y: AnyTensor; loss: AnyTensor } {
  const random = rng(options.seed ?? 1);
  const dims = options.sizes;
  const nameOf = options.names ?? ((l, k) => `${k}${l + 1}`);
  const x = input(options.inputName ?? "x", ["batch", dims[0]]);
  const y = input(options.labelName ?? "y", ["batch"], "int32");
  let h: AnyTensor = x;
  const params: AnyTensor[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const scale = Math.sqrt(6 / (dims[l] + dims[l + 1]));
    const W = param(nameOf(l, "W"), [dims[l], dims[l + 1]], { init: randomF32(dims[l] * dims[l + 1], random, scale) });
    const b = param(nameOf(l, "b"), [dims[l + 1]], { init: randomF32(dims[l + 1], random, 0.1) });
    params.push(W, b);
    h = h.matmul(W).add(b);
    if (l + 2 < dims.length) h = h.relu();
  }
  const loss = mean(softmaxCrossEntropy(h, y));
  const grads = grad(loss, params);
  const lr = options.lr ?? (options.optimizer === "sgd" ? 0.1 : 1e-3);
  const updates: Array<readonly [AnyTensor, AnyTensor]> = [];
  if (options.optimizer === "sgd") {
    params.forEach((p, i) => {
      updates.push([p, p.sub(grads[i].mul(lr))]);
    });
  } else {
    const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
    const t = param(`${nameOf(0, "W")}/adam/t`, [], { init: 0 });
    const t1 = t.add(1);
    updates.push([t, t1]);
    // Bias corrections as graph: 1 - beta^t.
    const c1 = scalar(1).sub(scalar(beta1).pow(t1));
    const c2 = scalar(1).sub(scalar(beta2).pow(t1));
    params.forEach((p, i) => {
      const pname = (p.params as { name: string }).name;
      const m = param(`${pname}/adam/m`, p.shape as number[], { init: 0 });
      const v = param(`${pname}/adam/v`, p.shape as number[], { init: 0 });
      const g = grads[i];
      const m1 = m.mul(beta1).add(g.mul(1 - beta1));
      const v1 = v.mul(beta2).add(g.mul(g).mul(1 - beta2));
      const step = m1.div(c1).div(v1.div(c2).sqrt().add(eps)).mul(lr);
      updates.push([m, m1], [v, v1], [p, p.sub(step)]);
    });
  }
  return { spec: { inputs: [x, y], outputs: { loss }, updates }, params, x, y, loss };
}

/** The MLP's logits: the operand of the loss's softmax cross-entropy, found in the graph (a predict entry's output). */
export function logitsOf(loss: AnyTensor): AnyTensor {
  const stack = [loss];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.op === "softmaxCrossEntropy") return t.inputs[0];
    stack.push(...t.inputs);
  }
  throw new Error("no softmaxCrossEntropy");
}
