import { compile, type StepSpec } from "@gradfold/codegen";
import { sgd } from "@gradfold/optimizers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { classifierSteps } from "../models/classifier.ts";
import { makePoints } from "../models/datasets.ts";
import { compileSteps } from "./threads.ts";

// The pool itself (workers, bit-identity) is codegen's to test, and the Chromium suite's end to end;
// here a stand-in compileThreaded shows what compileSteps does with it.
const pool = vi.hoisted(() => ({ compileThreaded: vi.fn() }));
vi.mock("@gradfold/codegen/threads", () => pool);

const steps = classifierSteps(
  { net: { inputs: 2, hidden: [4], outputs: 2, activation: "tanh", init: "glorot", seed: 1 }, loss: "cross-entropy", batch: 8, evalBatch: 8 },
  sgd({ lr: 0.1 }),
);
const specs = [steps.train, steps.eval];
const { x, y } = makePoints("xor", 8, 0.2, 3);
const oneThread = { threads: 1, text: "1 thread: page not cross-origin isolated" };
const twoThreads = { threads: 2, text: "2 threads" };
const threadedStep = (spec: StepSpec) => ({ ...compile(spec), close: vi.fn(async () => {}) });

// A block body: a function returned from beforeEach would be run as its cleanup.
beforeEach(() => {
  pool.compileThreaded.mockReset();
});

describe("compileSteps", () => {
  it("compiles on one thread without a pool, and close() is harmless", async () => {
    const { steps: compiled, plan } = await compileSteps(specs, oneThread);
    expect(plan).toBe(oneThread);
    expect(pool.compileThreaded).not.toHaveBeenCalled();
    expect(compiled[1].run({ x, y }).loss).toEqual(compile(steps.eval).run({ x, y }).loss);
    await Promise.all(compiled.map((step) => step.close()));
  });

  it("asks the pool for the plan's thread count, one step per spec", async () => {
    pool.compileThreaded.mockImplementation(async (spec: StepSpec) => threadedStep(spec));
    const { steps: compiled, plan } = await compileSteps(specs, twoThreads);
    expect(plan).toBe(twoThreads);
    expect(pool.compileThreaded.mock.calls).toEqual([
      [steps.train, { threads: 2 }],
      [steps.eval, { threads: 2 }],
    ]);
    expect(compiled).toHaveLength(2);
  });

  it("falls back to one thread, saying why, when the pool does not start; the steps it had started are closed", async () => {
    const first = threadedStep(steps.train);
    pool.compileThreaded.mockResolvedValueOnce(first).mockRejectedValueOnce(new Error("gradfold matmul pool: a worker failed to start: blocked"));
    const { steps: compiled, plan } = await compileSteps(specs, twoThreads);
    expect(plan).toEqual({ threads: 1, text: "1 thread: the worker pool did not start (gradfold matmul pool: a worker failed to start: blocked)" });
    expect(first.close).toHaveBeenCalledOnce();
    expect(compiled).toHaveLength(2);
    expect(compiled[1].run({ x, y }).loss).toEqual(compile(steps.eval).run({ x, y }).loss);
  });

  it("throws a step's own error when one thread cannot compile it either", async () => {
    const bad = { ...steps.eval, inputs: "x" } as unknown as StepSpec;
    let expected: unknown;
    try {
      compile(bad);
    } catch (e) {
      expected = e;
    }
    expect(expected).toBeInstanceOf(Error);
    pool.compileThreaded.mockRejectedValue(expected);
    await expect(compileSteps([bad], twoThreads)).rejects.toThrow((expected as Error).message);
    await expect(compileSteps([bad], oneThread)).rejects.toThrow((expected as Error).message);
  });
});
