import { compile } from "@gradfold/codegen";
import { evaluate } from "@gradfold/graph";
import { sgd } from "@gradfold/optimizers";
import { describe, expect, it } from "vitest";
import { classifierSteps, type LossChoice } from "./classifier.ts";
import { makePoints } from "./datasets.ts";

const net = { inputs: 2, hidden: [4], activation: "tanh", init: "glorot", seed: 1 } as const;

describe("classifierSteps", () => {
  it.each<[LossChoice, number]>([
    ["cross-entropy", 2],
    ["hinge", 1],
    ["squared", 1],
  ])("%s: the compiled step's loss and accuracy match the reference interpreter's", (loss, outputs) => {
    const steps = classifierSteps({ net: { ...net, outputs }, loss, l2: 0.01, batch: 8, evalBatch: 8 }, sgd({ lr: 0.1 }));
    const { x, y } = makePoints("xor", 8, 0.2, 3);
    const evalStep = compile(steps.eval);
    const got = evalStep.run({ x, y });
    const [loss0, accuracy] = evaluate([steps.eval.outputs.loss, steps.eval.outputs.accuracy], { x, y }, { batch: 8 });
    expect(got.loss[0]).toBeCloseTo(loss0[0], 5);
    expect(got.accuracy[0]).toBeCloseTo(accuracy[0], 6);
  });

  it("trains: the loss on a fixed batch falls, and the prediction step sees the trained weights", () => {
    const steps = classifierSteps({ net: { ...net, outputs: 2 }, loss: "cross-entropy", batch: 16, evalBatch: 16 }, sgd({ lr: 0.5 }));
    const { x, y } = makePoints("blobs", 16, 0, 3);
    const train = compile(steps.train);
    const first = train.run({ x, y }).loss[0];
    for (let i = 0; i < 50; i++) train.run({ x, y });
    expect(train.run({ x, y }).loss[0]).toBeLessThan(first / 2);
    const predict = compile(steps.predict(1));
    for (const name of steps.paramNames) predict.write(name, train.read(name));
    const p = predict.run({ x: x.subarray(0, 2) }).scores;
    expect(p[0] + p[1]).toBeCloseTo(1, 5);
    expect(p[y[0]]).toBeGreaterThan(0.5);
  });

  it("outputs a gradient norm per layer when asked, equal to the reference ‖∂J/∂W‖", () => {
    const steps = classifierSteps({ net: { ...net, hidden: [3, 3], outputs: 2 }, loss: "cross-entropy", batch: 4, evalBatch: 4, gradNorms: true }, sgd({ lr: 0 }));
    expect(Object.keys(steps.train.outputs)).toEqual(["loss", "accuracy", "gradNorm0", "gradNorm1", "gradNorm2"]);
    const { x, y } = makePoints("circles", 4, 0, 1);
    const out = compile(steps.train).run({ x, y });
    const reference = evaluate(steps.train.outputs.gradNorm0, { x, y }, { batch: 4 })[0];
    expect(out.gradNorm0[0]).toBeCloseTo(reference, 5);
    expect(reference).toBeGreaterThan(0);
  });

  it("refuses hinge or squared error with more than one output", () => {
    expect(() => classifierSteps({ net: { ...net, outputs: 2 }, loss: "hinge", batch: 4, evalBatch: 4 }, sgd())).toThrow(
      "classifier: hinge scores two classes with 1 output, got 2",
    );
  });
});
