import { evaluate, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { mlpTrainingStep } from "../test/mlp.ts";
import { rng } from "../test/random-graph.ts";
import { runSchedule } from "../test/run-schedule.ts";
import { optimize } from "./optimize.ts";
import { programRoots, unfusedPlan } from "./schedule.ts";

function feeds(batch: number) {
  const next = rng(7);
  return {
    x: Float64Array.from({ length: batch * 784 }, () => next() * 2 - 1),
    y: Int32Array.from({ length: batch }, () => Math.floor(next() * 10)),
  };
}

function maxRelError(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-6 + Math.abs(b[i])));
  return worst;
}

describe("MLP 784-256-128-10 SGD training step", () => {
  const { program } = mlpTrainingStep();
  const result = optimize(program, { sizes: { batch: 128 } });

  it("evaluates equal to the unoptimized program (loss and every updated param, batch 4)", () => {
    // Specialize bakes the sizes in (mean's count becomes a constant), so optimize at the batch evaluated.
    const small = optimize(program, { sizes: { batch: 4 } });
    const f = feeds(4);
    const before = evaluate(programRoots(program), f, { batch: 4 });
    const after = evaluate(programRoots(small.program), f, { batch: 4 });
    for (const [i, b] of before.entries()) expect(maxRelError(after[i], b)).toBeLessThan(1e-9);
    // And run through the fused schedule and its planned (reused, in-place) buffers.
    const ran = runSchedule(small.plan!, f);
    expect(maxRelError(ran.outputs.loss, before[0])).toBeLessThan(1e-9);
    for (const [i, [target]] of program.updates.entries()) expect(maxRelError(ran.params.get(target)!, before[1 + i])).toBeLessThan(1e-9);
  });

  it("writes every SGD update straight into its param's buffer", () => {
    expect(result.plan!.buffers.inPlaceUpdates).toHaveLength(6);
  });

  it("rewrites the naive loss into the fused softmax cross-entropy and fuses kernels", () => {
    const loss = result.program.outputs.loss as AnyTensor;
    const ops = new Set<string>();
    const walk = (t: AnyTensor) => {
      ops.add(t.op);
      t.inputs.forEach(walk);
    };
    walk(loss);
    expect(ops.has("softmaxCrossEntropy")).toBe(true);
    expect(ops.has("log")).toBe(false);
    const e = result.explain();
    expect(e.nodesAfter).toBeLessThan(e.nodesBefore);
    expect(e.kernelsFused!).toBeLessThan(e.kernelsUnfused!);
    expect(e.kernelsUnfused).toBe(unfusedPlan(program, { batch: 128 }).groups.length);
    expect(e.peakBytesAfterPlanning!).toBeLessThan(e.peakBytesBeforePlanning!);
    expect(e.text).toContain("kernels:");
  });
});
