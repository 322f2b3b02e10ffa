/**
 * Training with dropout the way a trainer does it: the training graph has a mask input
 * per dropout layer, fed fresh every step from `randomFeeds(model, step)`; the evaluation
 * graph is built again with `training: false` and reads the same params by name.
 */
import { evaluate, input } from "@gradfold/graph";
import { expect, test } from "vitest";
import { createRng } from "../../src/init/prng.ts";
import { randomFeeds } from "../../src/layers/layer.ts";
import { mlp } from "../../src/layers/mlp.ts";
import { crossEntropy } from "../../src/losses/cross-entropy.ts";
import { accuracy } from "../../src/metrics/classification.ts";
import { trainSgd } from "../train.ts";

test("an MLP trained with dropout classifies two noisy rings; evaluation mode needs no mask", () => {
  // Class 0 inside radius 1, class 1 on a ring of radius 2: not linearly separable.
  const n = 64;
  const rng = createRng(11);
  const X = new Float64Array(n * 2);
  const Y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    Y[i] = i % 2;
    const r = (Y[i] === 0 ? 0.5 : 2) + 0.2 * rng.normal();
    const a = 2 * Math.PI * rng.uniform();
    X[2 * i] = r * Math.cos(a);
    X[2 * i + 1] = r * Math.sin(a);
  }
  const sizes = { batch: n };
  const build = (training: boolean) => {
    const x = input("x", ["batch", 2]);
    const y = input("y", ["batch"], "int32");
    const model = mlp(x, [2, 16, 16, 2], { activation: "tanh", dropout: 0.2, training, seed: 4 });
    return { model, loss: crossEntropy(model.output, y) };
  };
  const train = build(true);
  expect(train.model.randomInputs).toHaveLength(2);
  const run = trainSgd({
    loss: train.loss,
    params: train.model.params,
    feeds: (step) => ({ x: X, y: Y, ...randomFeeds(train.model, step, sizes) }),
    sizes,
    lr: 0.5,
    steps: 300,
  });
  // Fresh masks make the training loss noisy but falling.
  const early = run.losses.slice(0, 20).reduce((a, b) => a + b) / 20;
  const late = run.losses.slice(-20).reduce((a, b) => a + b) / 20;
  expect(late).toBeLessThan(0.5 * early);

  const evaluation = build(false);
  expect(evaluation.model.randomInputs).toHaveLength(0);
  const logits = evaluate(evaluation.model.output, { x: X, ...run.values }, sizes);
  expect(accuracy(logits, Y)).toBeGreaterThanOrEqual(0.95);
});
