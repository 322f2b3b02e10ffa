import { describe, expect, it } from "vitest";
import { measureRoofline } from "./roofline.ts";

describe("measureRoofline", () => {
  // Values only, no timing thresholds: the machine may be shared.
  it("reports a positive peak and each kernel's GFLOP/s and fraction of it", () => {
    const report = measureRoofline([{ name: "fwd", variant: "nn", m: 16, k: 32, n: 24 }]);
    expect(report.peakGflops).toBeGreaterThan(0);
    expect(report.kernels.map((k) => k.name)).toEqual(["fwd"]);
    expect(report.kernels[0].gflops).toBeGreaterThan(0);
    const reference = report.peakFmaGflops ?? report.peakGflops;
    expect(report.kernels[0].fractionOfPeak).toBeCloseTo(report.kernels[0].gflops / reference, 10);
  });
});
