import { describe, expect, it } from "vitest";
import { tinyConfig } from "./configs.ts";
import type { Contender } from "./contender.ts";
import { makeProblem } from "./problem.ts";
import { stepReport } from "./report.ts";
import { runConfig } from "./run-config.ts";

/** A contender that logs each step it takes into `trace` and returns losses 10, 9, 8, … */
function fake(id: string, trace: string[], options: { failAtPrepare?: boolean } = {}): Contender {
  return {
    id,
    label: id,
    async prepare() {
      if (options.failAtPrepare) throw new Error(`${id} cannot start\nsecond line`);
      let loss = 10;
      return {
        step: () => {
          trace.push(id);
          return loss--;
        },
        notes: () => [`${id} note`],
        dispose() {},
      };
    },
  };
}

const problem = makeProblem(tinyConfig("sgd"));
const options = { warmup: 2, steps: 4, budgetMs: 60_000, lossSteps: 3, log: () => {} };

describe("runConfig", () => {
  it("warms each contender up alone, then interleaves the timed steps", async () => {
    const trace: string[] = [];
    const runs = await runConfig(problem, [fake("A", trace), fake("B", trace)], options);
    // Warm-up: max(warmup, lossSteps) = 3 steps each, one contender after the other.
    expect(trace.slice(0, 6)).toEqual(["A", "A", "A", "B", "B", "B"]);
    expect(trace.slice(6)).toEqual(["A", "B", "B", "A", "A", "B", "B", "A"]);
    expect(runs.map((r) => r.samples.length)).toEqual([4, 4]);
    expect(runs[0].losses).toEqual([10, 9, 8]);
    expect(runs[0].notes).toEqual(["A note"]);
  });

  it("reports a contender that fails with its error and runs the others", async () => {
    const trace: string[] = [];
    const runs = await runConfig(problem, [fake("A", trace, { failAtPrepare: true }), fake("B", trace)], options);
    expect(runs[0].error).toBe("A cannot start");
    expect(runs[0].medianMs).toBeUndefined();
    expect(runs[1].samples).toHaveLength(4);
    expect(trace.every((id) => id === "B")).toBe(true);
  });
});

describe("stepReport", () => {
  it("prints medians, ratios to the first contender and loss differences", () => {
    const run = (label: string, medianMs: number, losses: number[]) => ({
      id: label,
      label,
      prepareMs: 1,
      firstStepMs: 2,
      samples: [medianMs, medianMs, medianMs],
      medianMs,
      cpuSamples: [medianMs],
      medianCpuMs: medianMs,
      losses,
      notes: [],
    });
    const text = stepReport([{ config: problem.config, runs: [run("gf", 2, [1, 0.5]), run("peer", 13, [1.25, 0.5])] }], 2);
    const row = text.split("\n").find((l) => l.startsWith("| 7-5-6-3"))!;
    expect(row.split("|").map((c) => c.trim())).toEqual(["", "7-5-6-3, batch 4, SGD", "2.00 (n=3)", "13.0 (n=3)", "6.50×", "0.0", ""]);
    expect(text).toContain("gf: 1.00000, 0.50000");
    expect(text).toMatch(/\(reference\) \|\s+2\.5e-1 \|/);
  });
});
