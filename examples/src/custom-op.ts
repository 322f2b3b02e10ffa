/**
 * A user-defined op, outside the packages: the Mish activation (Misra, 2019),
 * mish(x) = x·tanh(softplus(x)), declared once with its shape rule, float64
 * reference, gradient (in graph ops, so second derivatives work too) and an
 * allocation-free kernel for compiled steps. Its gradient is checked against finite
 * differences, then a 1-32-1 network using it learns y = sin(3x) with compile().
 *   Run: pnpm --filter @gradfold/examples run custom-op
 */
import { compile } from "@gradfold/codegen";
import { checkGrad, defineCustomOp, evaluate, grad, input, param } from "@gradfold/graph";
import { squaredError } from "@gradfold/nn";
import { adam } from "@gradfold/optimizers";
import { isMain, seededRandom } from "./main.ts";

/** log(1 + eˣ) without overflow. */
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

export const mish = defineCustomOp({
  name: "mish",
  arity: 1,
  // Elementwise: the result has its operand's shape (a rule may also return a string saying why operands do not fit).
  shape: ([x]) => x,
  scalar: (x) => x * Math.tanh(softplus(x)),
  // With t = tanh(softplus(x)): d mish = (t + x·(1 − t²)·σ(x)) dx, since softplus' = σ.
  vjp: ({ inputs: [x], grad: dy }) => {
    const t = x.softplus().tanh();
    return [dy.mul(t.add(x.mul(t.square().neg().add(1)).mul(x.sigmoid())))];
  },
  // The compiled step's kernel: straight on its float32 buffers, nothing allocated.
  compute: ([x], out) => {
    for (let i = 0; i < out.length; i++) out[i] = x[i] * Math.tanh(softplus(x[i]));
  },
});

/** Gradient and Hessian-vector product of Σ w·mish(x) against central finite differences (float64). */
export function checkMish() {
  const x = input("x", [12]);
  const w = input("w", [12]);
  const xs = Array.from({ length: 12 }, (_, i) => -4 + (8 * i) / 11);
  const ws = xs.map((_, i) => Math.cos(i));
  const y = mish(x).mul(w).sum();
  const first = checkGrad(y, [x], { feeds: { x: xs, w: ws } });
  const [dx] = grad(y, [x]);
  const second = checkGrad(dx.mul(w).sum(), [x], { feeds: { x: xs, w: ws } });
  return { first: first.entries[0], second: second.entries[0] };
}

function uniformInit(random: () => number, fanIn: number) {
  const bound = Math.sqrt(6 / fanIn);
  return (shape: readonly number[]) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (random() * 2 - 1) * bound);
}

/** A 1-32-1 Mish network fit to sin(3x) on [-1, 1] by Adam, compiled; its first step checked against the reference interpreter. */
export function fitSine({ samples = 64, hidden = 32, steps = 600, seed = 11 } = {}) {
  const random = seededRandom(seed);
  const xs = Float32Array.from({ length: samples }, (_, i) => -1 + (2 * i) / (samples - 1));
  const ys = xs.map((v) => Math.sin(3 * v));

  const x = input("x", [samples, 1]);
  const t = input("t", [samples, 1]);
  const W1 = param("W1", [1, hidden], { init: uniformInit(random, 1) });
  const b1 = param("b1", [hidden], { init: 0 });
  const W2 = param("W2", [hidden, 1], { init: uniformInit(random, hidden) });
  const b2 = param("b2", [1], { init: 0 });
  const h = mish(x.matmul(W1).add(b1));
  const prediction = h.matmul(W2).add(b2);
  const loss = squaredError(prediction, t);
  const updates = adam({ lr: 0.01 }).updates(loss, [W1, b1, W2, b2]);
  const step = compile({ inputs: [x, t], outputs: { loss }, updates });

  // The first step against the float64 reference: the loss and every updated param.
  const feeds = { x: xs, t: ys };
  const params = [W1, b1, W2, b2];
  const newValue = new Map(updates.map(([target, value]) => [target, value]));
  const reference = evaluate([loss, ...params.map((p) => newValue.get(p)!)], feeds);
  const firstLoss = step.run(feeds).loss[0];
  const firstStep = {
    loss: { compiled: firstLoss, reference: reference[0][0] },
    maxParamError: Math.max(...params.map((p, i) => Math.max(...Array.from(step.read((p.params as { name: string }).name), (v, j) => Math.abs(v - reference[i + 1][j]))))),
  };

  let finalLoss = firstLoss;
  for (let i = 1; i < steps; i++) finalLoss = step.run(feeds).loss[0];
  return { firstStep, initialLoss: firstLoss, finalLoss };
}

if (isMain(import.meta.url)) {
  const { first, second } = checkMish();
  console.log(`mish gradient vs finite differences: ok=${first.ok}, max relative error ${first.maxRelError.toExponential(1)}`);
  console.log(`mish second derivative (Hessian-vector product): ok=${second.ok}, max relative error ${second.maxRelError.toExponential(1)}`);
  const fit = fitSine();
  console.log(
    `first compiled step: loss ${fit.firstStep.loss.compiled.toFixed(6)} (reference ` +
      `${fit.firstStep.loss.reference.toFixed(6)}), updated params within ` +
      `${fit.firstStep.maxParamError.toExponential(1)} of the reference`,
  );
  console.log(`1-32-1 mish network fitting sin(3x): mean squared error ${fit.initialLoss.toFixed(4)} -> ${fit.finalLoss.toExponential(2)}`);
}
