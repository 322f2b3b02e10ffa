import { evaluate, grad, type Feeds, type Sizes } from "@gradfold/graph";
import type { FloatTensor } from "../src/layers/layer.ts";

const nameOf = (p: FloatTensor) => (p.params as { name: string }).name;

export interface SgdRun {
  /** Final param values by name. */
  values: Record<string, Float64Array>;
  /** The loss before each step. */
  losses: number[];
}

/**
 * Plain gradient descent θ ← θ − lr·∇J(θ) with the float64 reference interpreter: the
 * examples' trainer, independent of @gradfold/optimizers and the compiled path.
 */
export function trainSgd(options: {
  loss: FloatTensor;
  params: readonly FloatTensor[];
  feeds: Feeds | ((step: number) => Feeds);
  sizes?: Sizes;
  lr: number;
  steps: number;
}): SgdRun {
  const { loss, params, sizes = {}, lr, steps } = options;
  const grads = grad(loss, params);
  const initial = evaluate([...params], {}, sizes);
  const values: Record<string, Float64Array> = Object.fromEntries(params.map((p, i) => [nameOf(p), initial[i]]));
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const feeds = typeof options.feeds === "function" ? options.feeds(step) : options.feeds;
    const [l, ...gs] = evaluate([loss, ...grads], { ...feeds, ...values }, sizes);
    losses.push(l[0]);
    params.forEach((p, i) => {
      const v = values[nameOf(p)];
      const g = gs[i];
      for (let k = 0; k < v.length; k++) v[k] -= lr * g[k];
    });
  }
  return { values, losses };
}
