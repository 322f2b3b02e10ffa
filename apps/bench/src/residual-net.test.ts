import { evaluate } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { buildResidualLoss, residualInit, type ResidualShape } from "./residual-net.ts";

/** The same network in plain float64 loops: the independent reference. */
function lossByHand(shape: ResidualShape, init: ReadonlyMap<string, Float32Array>, x: Float32Array, labels: Int32Array): number {
  const batch = labels.length;
  const dense = (h: number[][], name: string, fanOut: number) => {
    const W = init.get(name)!;
    const b = init.get(name.replace("W", "b"))!;
    return h.map((row) => Array.from({ length: fanOut }, (_, j) => row.reduce((s, v, i) => s + v * W[i * fanOut + j], b[j])));
  };
  const relu = (h: number[][]) => h.map((r) => r.map((v) => Math.max(0, v)));
  let h = Array.from({ length: batch }, (_, r) => Array.from(x.subarray(r * shape.features, (r + 1) * shape.features)));
  h = relu(dense(h, "W_stem", shape.width));
  for (let l = 1; l <= shape.depth; l++) {
    const branch = relu(dense(h, `W_res${l}`, shape.width));
    h = h.map((r, i) => r.map((v, j) => v + branch[i][j]));
  }
  const logits = dense(h, "W_head", shape.classes);
  const losses = logits.map((row, i) => {
    const m = Math.max(...row);
    return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)) - row[labels[i]];
  });
  return losses.reduce((a, b) => a + b, 0) / batch;
}

describe("the residual network of the compile-time report", () => {
  it("computes stem, residual layers, head and mean cross-entropy as written by hand", () => {
    const shape: ResidualShape = { features: 4, width: 3, depth: 3, classes: 2 };
    const init = residualInit(shape, 5);
    const x = Float32Array.from({ length: 5 * 4 }, (_, i) => Math.sin(i));
    const labels = Int32Array.from([0, 1, 1, 0, 1]);
    const net = buildResidualLoss(shape, init);
    expect(net.params).toHaveLength(2 * (shape.depth + 2));
    const [loss] = evaluate([net.loss], { x, labels }, { batch: 5 });
    expect(loss[0]).toBeCloseTo(lossByHand(shape, init, x, labels), 10);
  });
});
