/**
 * A residual network (He et al., 2016) on two interleaved spirals: a stem, six
 * residual blocks y = x + F(x), a linear head; trained with Adam.
 * Run: pnpm --filter @gradfold/examples run residual
 */
import { compile } from "@gradfold/codegen";
import { input } from "@gradfold/graph";
import { accuracy, crossEntropyWithLabels, dense, residual, sequential, type FloatTensor } from "@gradfold/nn";
import { adam } from "@gradfold/optimizers";
import { isMain, seededRandom } from "./main.ts";

export function spirals(perClass: number, seed: number): { x: Float32Array; y: Int32Array } {
  const random = seededRandom(seed);
  const x = new Float32Array(perClass * 2 * 2);
  const y = new Int32Array(perClass * 2);
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < perClass; i++) {
      const k = c * perClass + i;
      const r = i / perClass;
      const angle = 3.5 * Math.PI * r + c * Math.PI + (random() - 0.5) * 0.3;
      x[2 * k] = r * Math.cos(angle);
      x[2 * k + 1] = r * Math.sin(angle);
      y[k] = c;
    }
  }
  return { x, y };
}

export function trainResidual({ blocks = 6, width = 32, steps = 600, seed = 11 } = {}) {
  const data = spirals(128, seed);
  const x = input("x", [256, 2]);
  const labels = input("y", [256], "int32");
  const net = sequential(x, [
    (h) => dense(h, width, { name: "stem", activation: "relu" }),
    ...Array.from({ length: blocks }, (_, i) => (h: FloatTensor) => residual(h, (z) => dense(z, width, { name: `block${i}`, activation: "relu" }))),
    (h) => dense(h, 2, { name: "head" }),
  ]);
  const loss = crossEntropyWithLabels(net.output, labels);
  const step = compile({ inputs: [x, labels], outputs: { loss, logits: net.output }, updates: adam({ lr: 0.01 }).updates(loss, net.params) });
  let out = step.run({ x: data.x, y: data.y });
  for (let i = 1; i < steps; i++) out = step.run({ x: data.x, y: data.y });
  return { loss: out.loss[0], accuracy: accuracy(out.logits, data.y), params: net.params.length };
}

if (isMain(import.meta.url)) {
  const result = trainResidual();
  console.log(`residual net (${result.params} param tensors): training accuracy ${(100 * result.accuracy).toFixed(1)}%, loss ${result.loss.toFixed(4)}`);
}
