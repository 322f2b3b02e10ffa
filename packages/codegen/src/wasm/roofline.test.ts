import { describe, expect, it } from "vitest";
import { wasmFeatures } from "./features.ts";
import { buildMatmulKernels } from "./matmul-kernels.ts";
import type { MatmulSpec } from "./matmul-spec.ts";
import { measureRoofline } from "./roofline.ts";

describe("measureRoofline", () => {
  // Values only, no timing thresholds: the machine may be shared.
  it("reports each kernel in order, as a fraction of the peak of the instruction mix it uses", () => {
    const shapes: MatmulSpec[] = [
      { name: "fwd", variant: "nn", m: 16, k: 32, n: 24 },
      { name: "bwd", variant: "tn", m: 8, k: 16, n: 12 },
    ];
    const report = measureRoofline(shapes);
    expect(report.kernels.map((k) => k.name)).toEqual(["fwd", "bwd"]);
    // The FMA peak exists exactly where the engine validates relaxed_madd.
    expect(report.peakFmaGflops !== undefined).toBe(wasmFeatures().relaxedSimd);
    expect(report.peakGflops).toBeGreaterThan(0);
    const usesFma = buildMatmulKernels(shapes).tuning.fma;
    const reference = usesFma && report.peakFmaGflops !== undefined ? report.peakFmaGflops : report.peakGflops;
    for (const k of report.kernels) {
      expect(k.gflops, k.name).toBeGreaterThan(0);
      expect(k.fractionOfPeak, k.name).toBeCloseTo(k.gflops / reference, 10);
    }
  });
});
