// Fit y = 3x − 1 with Adam, a warmup + cosine learning rate and clipping, all as graph.
// Run from the repo root: npx tsx --conditions=source packages/optimizers/examples/fit-line.ts
import { evaluate, input, param } from "@gradfold/graph";
import { addDecayedWeights, chain, clipByGlobalNorm, optimizer, paramName, scaleByAdam, scaleByLearningRate, warmupCosineDecay } from "@gradfold/optimizers";

const x = input("x", ["batch"]);
const y = input("y", ["batch"]);
const w = param("w", [1], { init: 0 });
const b = param("b", [1], { init: 0 });
const loss = x.mul(w).add(b).sub(y).square().mean();

// The same as adamw({ lr: schedule, weightDecay: 1e-4 }), with clipping in front.
const lr = warmupCosineDecay({ peak: 0.1, warmupSteps: 20, totalSteps: 300 });
const opt = optimizer(chain(clipByGlobalNorm(1), scaleByAdam({ beta1: 0.9, beta2: 0.999 }), addDecayedWeights(1e-4), scaleByLearningRate(lr)), "adamw");
const updates = opt.updates(loss, [w, b]); // [[w, w'], [b, b'], [adamw/w/m, …], …, [adamw/step, step + 1]]

// Step with the reference interpreter: feed every param and state slot by name,
// evaluate all new values from the old ones, write them back.
const xs = [-1, -0.5, 0, 0.5, 1, 1.5];
const feeds: Record<string, ArrayLike<number>> = { x: xs, y: xs.map((v) => 3 * v - 1) };
for (const [target] of updates) feeds[paramName(target)] = evaluate(target); // initial values
for (let i = 0; i < 300; i++) {
  const values = evaluate(updates.map(([, v]) => v), feeds, { batch: xs.length });
  updates.forEach(([target], k) => {
    feeds[paramName(target)] = values[k];
  });
}
console.log("w =", feeds.w[0].toFixed(4), "b =", feeds.b[0].toFixed(4), "steps =", feeds["adamw/step"][0]);
console.log("targets:", updates.map(([t]) => paramName(t)).join(", "));
