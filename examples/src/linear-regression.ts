/**
 * Linear regression by gradient descent: y = X·w + b + noise. The compiled step
 * recovers w and b to within the noise.   Run: pnpm --filter @gradfold/examples run linear-regression
 */
import { compile } from "@gradfold/codegen";
import { input, param } from "@gradfold/graph";
import { squaredError } from "@gradfold/nn";
import { adam } from "@gradfold/optimizers";
import { isMain, seededRandom } from "./main.ts";

export function fitLinearRegression({ samples = 512, steps = 400, noise = 0.05, seed = 7 } = {}) {
  const trueW = [2, -3, 0.5];
  const trueB = 1.25;
  const random = seededRandom(seed);
  const xs = Float32Array.from({ length: samples * 3 }, () => random() * 2 - 1);
  const ys = Float32Array.from({ length: samples }, (_, i) => {
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return trueW.reduce((s, w, j) => s + w * xs[i * 3 + j], trueB) + noise * gaussian;
  });

  const x = input("x", ["n", 3]);
  const y = input("y", ["n", 1]);
  const w = param("w", [3, 1]);
  const b = param("b", [1]);
  const loss = squaredError(x.matmul(w).add(b), y);
  const step = compile({ inputs: [x, y], outputs: { loss }, updates: adam({ lr: 0.05 }).updates(loss, [w, b]), sizes: { n: samples } });

  let finalLoss = Number.NaN;
  for (let i = 0; i < steps; i++) finalLoss = step.run({ x: xs, y: ys }).loss[0];
  return { weights: Array.from(step.read("w")), bias: step.read("b")[0], trueWeights: trueW, trueBias: trueB, finalLoss };
}

if (isMain(import.meta.url)) {
  const fit = fitLinearRegression();
  console.log(`learned w = [${fit.weights.map((v) => v.toFixed(3)).join(", ")}], b = ${fit.bias.toFixed(3)}`);
  console.log(`true    w = [${fit.trueWeights.join(", ")}], b = ${fit.trueBias}; final mean squared error ${fit.finalLoss.toExponential(2)}`);
}
