/** The public entry point end to end: a classifier with batch norm, dropout and a regularized cost. */
import { checkGrad, evaluate, input } from "@gradfold/graph";
import { expect, test } from "vitest";
import { ints, uniform } from "../test/random.ts";
import * as nn from "./index.ts";

test("mlp → batchNorm → dropout → cross-entropy + L2: gradient, updates and metrics through the index", () => {
  const x = input("x", ["batch", 5]);
  const y = input("y", ["batch"], "int32");
  const model = nn.sequential(x, [
    (h) => nn.dense(h, 6, { name: "fc1", init: nn.heNormal({ seed: 2 }) }),
    (h) => nn.batchNorm(h, { name: "bn" }),
    (h) => h.relu(),
    (h) => nn.dropout(h, { rate: 0.25, name: "drop", seed: 3 }),
    (h) => nn.dense(h, 3, { name: "fc2" }),
  ]);
  expect(model.params.map(nn.nameOf)).toEqual(["fc1/W", "fc1/b", "bn/gamma", "bn/beta", "fc2/W", "fc2/b"]);
  expect(model.state.map(nn.nameOf)).toEqual(["bn/runningMean", "bn/runningVar"]);
  const risk = nn.crossEntropy(model.output, y, { labelSmoothing: 0.1 });
  expect(nn.kernels(model).map(nn.nameOf)).toEqual(["fc1/W", "fc2/W"]);
  const J = nn.cost(risk, nn.l2(1e-2, nn.kernels(model)));
  const sizes = { batch: 8 };
  const feeds = { x: uniform(40, -2, 2), y: ints(8, 3), ...nn.randomFeeds(model, 0, sizes) };
  const report = checkGrad(J, [...model.params], { feeds, sizes, rtol: 1e-5 });
  expect(report.ok, JSON.stringify(report.entries)).toBe(true);
  // Metrics: the graph form agrees with the plain one on the same logits.
  const [logits, acc] = evaluate([model.output, nn.accuracyOf(model.output, y)], feeds, sizes);
  expect(acc[0]).toBeCloseTo(nn.accuracy(logits, feeds.y), 12);
  expect(model.updates).toHaveLength(2);
});

test("two layers left with the default name collide, and evaluation says so", () => {
  const x = input("x", [1, 2]);
  const h = nn.dense(x, 2).output;
  const out = nn.dense(h, 2).output;
  expect(() => evaluate(out, { x: [1, 2] })).toThrow(/two leaves are named "dense\/W"/);
});
