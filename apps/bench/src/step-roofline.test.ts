import { describe, expect, it } from "vitest";
import { standardConfigs } from "./configs.ts";
import { stepFlops } from "./problem.ts";
import { higherPeaks, stepRooflineReport } from "./step-roofline.ts";

const config = standardConfigs[0];
const run = (id: string, medianMs: number | undefined, error?: string) => ({
  id,
  label: id,
  error,
  prepareMs: 1,
  firstStepMs: 1,
  samples: [],
  medianMs,
  cpuSamples: [],
  medianCpuMs: undefined,
  losses: [],
  notes: [],
});

describe("stepRooflineReport", () => {
  it("puts gradfold-1t against the one-thread peak and the threaded default (gradfold) against the many-thread peak", () => {
    // Medians chosen so that the step runs at exactly 20 and 30 GFLOP/s.
    const ms = (gflops: number) => stepFlops(config) / (gflops * 1e6);
    const text = stepRooflineReport(
      [{ config, runs: [run("gradfold-1t", ms(20)), run("gradfold", ms(30))] }],
      { kind: "test", one: 40, threads: 2, many: 75 },
      "gradfold",
      " — Node",
    );
    expect(text).toContain("### Roofline of the whole step — Node");
    const row = text.split("\n").find((l) => l.startsWith("| 784-256-128-10"))!;
    expect(row.split("|").map((c) => c.trim())).toEqual(["", "784-256-128-10, batch 128, SGD", "20.0", "50%", "30.0", "40%", ""]);
  });

  it("shows a dash where a contender failed or the many-thread peak is unknown", () => {
    const text = stepRooflineReport([{ config, runs: [run("gradfold-1t", 5), run("gradfold", 4, "boom")] }], { kind: "test", one: 40, threads: 2, many: undefined }, "gradfold");
    const row = text.split("\n").find((l) => l.startsWith("| 784-256-128-10"))!;
    expect(
      row
        .split("|")
        .map((c) => c.trim())
        .slice(4),
    ).toEqual(["—", "—", ""]);
  });

  it("says how many times the peaks were measured when more than once", () => {
    const roofs = { kind: "test", one: 40, threads: 2, many: 75 };
    expect(stepRooflineReport([], roofs, "gradfold")).toContain("chains): one thread 40.0");
    expect(stepRooflineReport([], { ...roofs, samples: 6 }, "gradfold")).toContain("chains, measured 6 times through the run, the best kept): one thread 40.0");
  });
});

describe("higherPeaks", () => {
  it("keeps the higher of each measured roof, and a roof only one measurement has", () => {
    expect(higherPeaks(undefined, { one: 40, many: 70 })).toEqual({ one: 40, many: 70 });
    expect(higherPeaks({ one: 40, many: 90 }, { one: 45, many: 58 })).toEqual({ one: 45, many: 90 });
    expect(higherPeaks({ simd: 50, threads: 2, fma: 59 }, { simd: 48, threads: 2, fma: undefined })).toEqual({ simd: 50, threads: 2, fma: 59 });
    expect(higherPeaks({ simd: 50, threads: 2, fmaThreads: undefined }, { simd: 48, threads: 2, fmaThreads: 110 })).toEqual({ simd: 50, threads: 2, fmaThreads: 110 });
  });
});
