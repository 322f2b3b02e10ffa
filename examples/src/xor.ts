/**
 * XOR, the classic problem a linear model cannot solve: a 2-8-1 tanh MLP learns it
 * with binary cross-entropy on logits.   Run: pnpm --filter @gradfold/examples run xor
 */
import { compile } from "@gradfold/codegen";
import { input } from "@gradfold/graph";
import { binaryCrossEntropyWithLogits, mlp } from "@gradfold/nn";
import { adam } from "@gradfold/optimizers";
import { isMain } from "./main.ts";

export function learnXor({ steps = 500, seed = 3 } = {}) {
  const x = input("x", [4, 2]);
  const t = input("t", [4, 1]);
  const net = mlp(x, [2, 8, 1], { activation: "tanh", seed, name: "xor" });
  const loss = binaryCrossEntropyWithLogits(net.output, t);
  const step = compile({ inputs: [x, t], outputs: { loss, logits: net.output }, updates: adam({ lr: 0.05 }).updates(loss, net.params) });

  const feeds = { x: Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1), t: Float32Array.of(0, 1, 1, 0) };
  let last = { loss: 0, logits: new Float32Array(4) };
  for (let i = 0; i < steps; i++) {
    const out = step.run(feeds);
    last = { loss: out.loss[0], logits: Float32Array.from(out.logits) };
  }
  // The outputs come from the parameters before the last update; good enough to read predictions.
  const predictions = Array.from(last.logits, (z) => (z > 0 ? 1 : 0));
  return { loss: last.loss, predictions };
}

if (isMain(import.meta.url)) {
  const { loss, predictions } = learnXor();
  console.log(`XOR predictions for (0,0) (0,1) (1,0) (1,1): ${predictions.join(" ")}; loss ${loss.toFixed(4)}`);
}
