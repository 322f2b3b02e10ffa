import { evaluate, input, type AnyTensor } from "@gradfold/graph";
import { leavesOf } from "@gradfold/graph/internal";
import { describe, it } from "vitest";
import { compile } from "./compile.ts";
import { expectClose } from "./testing/compare.ts";
import { randomF32, rng } from "./testing/mlp.ts";

/**
 * Composite graphs the optimizer fuses into reductions with prologues and epilogues,
 * broadcasting elementwise groups and layout ops, at odd sizes: compiled (both
 * backends) against the reference interpreter.
 */
function graphs(rows: number): Record<string, AnyTensor> {
  const x = input("x", [rows, 7]);
  const y = input("y", [rows, 7]);
  const g = input("g", [7]);
  const mean = x.mean(-1, true);
  const centered = x.sub(mean);
  const variance = centered.mul(centered).mean(-1, true);
  return {
    layerNorm: centered.div(variance.add(1e-5).sqrt()).mul(g).add(g.mul(0.5)),
    logsumexpEpilogue: x.mul(3).logsumexp(1).mul(0.5).add(1),
    // Reducing a size-1 axis: no reduction loop at all.
    logsumexpOfOne: x.slice([0, 0], [rows, 1]).exp().logsumexp(1, true).add(x),
    weightedColumnSums: x.mul(y).sum(0).div(x.abs().sum(0).add(1)),
    maxOfReshaped: x.reshape([7, rows]).max(0, true).add(y.min()),
    transposedProducts: x.transpose().matmul(y).sum(1),
    softmaxAlongRows: x.softmax(0).mul(y.logSoftmax(1)).sum(),
    sliceConcatPad: x
      .slice([0, 2], [rows, 3])
      .concat([y.slice([0, 0], [rows, 3]).mul(2).pad([0, 1], [0, 0])] as never, 1)
      .tanh(),
  };
}

describe("fused composite graphs against the reference", () => {
  for (const rows of [1, 5, 12]) {
    for (const [name, out] of Object.entries(graphs(rows))) {
      for (const backend of ["js", "auto"] as const) {
        it(`${name}, rows=${rows}, ${backend}`, () => {
          const random = rng(rows * 31 + name.length);
          const feeds = { x: randomF32(rows * 7, random, 2), y: randomF32(rows * 7, random, 2), g: randomF32(7, random) };
          const sizes = {};
          const inputs = leavesOf([out]).inputs;
          const step = compile({ inputs, outputs: { out }, sizes }, { backend });
          const used = Object.fromEntries(inputs.map((t) => [(t.params as { name: string }).name, feeds[(t.params as { name: string }).name as "x"]]));
          expectClose(step.run(used).out, evaluate(out, used, sizes), name);
        });
      }
    }
  }
});
