/**
 * XOR, the problem a single linear layer cannot solve: a 2-4-1 tanh MLP with
 * binary cross-entropy on logits, trained by plain gradient descent on the
 * reference interpreter.
 */
import { evaluate, input } from "@gradfold/graph";
import { expect, test } from "vitest";
import { binaryCrossEntropyWithLogits } from "../../src/losses/binary-cross-entropy.ts";
import { mlp } from "../../src/layers/mlp.ts";
import { trainSgd } from "../train.ts";

test("a 2-layer MLP learns XOR", () => {
  const x = input("x", [4, 2]);
  const y = input("y", [4, 1]);
  const model = mlp(x, [2, 4, 1], { activation: "tanh", seed: 1 });
  const loss = binaryCrossEntropyWithLogits(model.output, y);
  const feeds = { x: [0, 0, 0, 1, 1, 0, 1, 1], y: [0, 1, 1, 0] };
  const run = trainSgd({ loss, params: model.params, feeds, lr: 1, steps: 400 });
  expect(run.losses[0]).toBeGreaterThan(0.6); // ≈ log 2 at the start: chance
  const logits = evaluate(model.output, { ...feeds, ...run.values });
  const final = evaluate(loss, { ...feeds, ...run.values })[0];
  expect(final).toBeLessThan(0.05);
  expect(Array.from(logits, (z) => (z > 0 ? 1 : 0))).toEqual(feeds.y);
});
