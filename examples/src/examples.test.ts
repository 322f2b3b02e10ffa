import { describe, expect, it } from "vitest";
import { checkMish, fitSine } from "./custom-op.ts";
import { fitLinearRegression } from "./linear-regression.ts";
import { trainMnist } from "./mnist-mlp.ts";
import { trainResidual } from "./residual.ts";
import { learnXor } from "./xor.ts";

describe("examples", () => {
  it("linear regression recovers its coefficients to within the noise", () => {
    const fit = fitLinearRegression();
    fit.weights.forEach((w, i) => {
      expect(Math.abs(w - fit.trueWeights[i])).toBeLessThan(0.02);
    });
    expect(Math.abs(fit.bias - fit.trueBias)).toBeLessThan(0.02);
    // The noise has variance 0.05² = 2.5e-3: the fit cannot do much better, and does not do worse.
    expect(fit.finalLoss).toBeGreaterThan(1.5e-3);
    expect(fit.finalLoss).toBeLessThan(3.5e-3);
  });

  it("a 2-8-1 MLP learns XOR", () => {
    const { predictions, loss } = learnXor();
    expect(predictions).toEqual([0, 1, 1, 0]);
    expect(loss).toBeLessThan(0.01);
  });

  it("a residual network separates two spirals", () => {
    const result = trainResidual({ steps: 400 });
    expect(result.accuracy).toBeGreaterThan(0.95);
  });

  it("a user-defined op (mish) is gradient-checked, compiles to the reference's values, and trains", () => {
    const { first, second } = checkMish();
    expect(first).toMatchObject({ ok: true, checked: 12 });
    expect(second).toMatchObject({ ok: true, checked: 12 });
    const fit = fitSine();
    // One compiled Adam step (float32 kernels, mish through its own compute) against the float64 interpreter.
    expect(Math.abs(fit.firstStep.loss.compiled - fit.firstStep.loss.reference)).toBeLessThan(1e-6 * fit.firstStep.loss.reference + 1e-7);
    expect(fit.firstStep.maxParamError).toBeLessThan(1e-5);
    expect(fit.initialLoss).toBeGreaterThan(0.1);
    expect(fit.finalLoss).toBeLessThan(1e-3);
  });

  it("an MLP learns MNIST (two epochs on a fifth of the data)", () => {
    const result = trainMnist({ epochs: 2, trainLimit: 12_000, testLimit: 2_000 });
    expect(result.testAccuracy).toBeGreaterThan(0.92);
  });
});
