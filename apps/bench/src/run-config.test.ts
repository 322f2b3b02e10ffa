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

  it("measures CPU time and collects garbage only through the clocks it is given (browsers have neither)", async () => {
    let cpu = 0;
    let collections = 0;
    const withClocks = await runConfig(problem, [fake("A", [])], {
      ...options,
      cpuMs: () => (cpu += 2.5),
      collectGarbage: () => collections++,
    });
    // One collection and two readings of the CPU clock (before, after) per timed step.
    expect(collections).toBe(4);
    expect(withClocks[0].cpuSamples).toEqual([2.5, 2.5, 2.5, 2.5]);
    expect(withClocks[0].medianCpuMs).toBe(2.5);
    const without = await runConfig(problem, [fake("A", [])], options);
    expect(without[0].cpuSamples).toEqual([]);
    expect(without[0].medianCpuMs).toBeUndefined();
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
    expect(text).toContain("### Median CPU time per training step");
  });

  it("leaves out the CPU table when no contender has CPU times (Chromium), and names the platform", () => {
    const run = { id: "gf", label: "gf", prepareMs: 1, firstStepMs: 2, samples: [2], medianMs: 2, cpuSamples: [], medianCpuMs: undefined, losses: [1], notes: [] };
    const text = stepReport([{ config: problem.config, runs: [run] }], 1, " — Chromium");
    expect(text).toContain("### Median time per training step — Chromium");
    expect(text).not.toContain("CPU time");
  });
});
