import { describeConfig } from "./configs.ts";
import { stepFlops } from "./problem.ts";
import type { ConfigRun } from "./report.ts";
import { markdownTable } from "./table.ts";

/** The roofs a platform measured (GFLOP/s): one thread and `threads` threads together. */
export interface StepRoofs {
  /** What the roofs are, e.g. "Wasm SIMD f32x4 mul+add" or "relaxed SIMD f32x4.relaxed_madd (FMA)". */
  readonly kind: string;
  readonly one: number;
  readonly threads: number;
  readonly many: number | undefined;
  /** How many times the peaks were measured through the run (each roof is the best of them); 1 when omitted. */
  readonly samples?: number;
}

/**
 * The higher of two measurements, field by field: peaks taken before the first config and
 * after each, so a moment when other work held a core cannot lower the roof the steps
 * are compared with (a roof measured once, in such a moment, put a step at 101 %).
 */
export function higherPeaks<T extends object>(a: T | undefined, b: T): T {
  if (a === undefined) return b;
  const out = { ...b } as Record<string, unknown>;
  for (const [key, value] of Object.entries(a)) {
    const other = out[key];
    if (typeof value === "number" && typeof other === "number") out[key] = Math.max(value, other);
    else if (other === undefined) out[key] = value;
  }
  return out as T;
}

/**
 * Each config's whole-step throughput — the step's matmul flops over its median time —
 * for gradfold-1t against the one-thread peak, and for the threaded contender (gradfold,
 * the default) against the measured peak of that many threads running together.
 */
export function stepRooflineReport(results: readonly ConfigRun[], roofs: StepRoofs, threadedId: string, where = ""): string {
  const percent = (gflops: number | undefined, roof: number | undefined) => (gflops === undefined || roof === undefined ? "—" : `${((100 * gflops) / roof).toFixed(0)}%`);
  const rows = results.map(({ config, runs }) => {
    const gflopsOf = (id: string) => {
      const ms = runs.find((r) => r.id === id && !r.error)?.medianMs;
      return ms === undefined ? undefined : stepFlops(config) / (ms * 1e6);
    };
    const one = gflopsOf("gradfold-1t");
    const many = gflopsOf(threadedId);
    return [describeConfig(config), one?.toFixed(1) ?? "—", percent(one, roofs.one), many?.toFixed(1) ?? "—", percent(many, roofs.many)];
  });
  return [
    `### Roofline of the whole step${where}`,
    "",
    `Peaks (${roofs.kind}, best of 25–50 runs of independent multiply-add chains` +
      `${(roofs.samples ?? 1) > 1 ? `, measured ${roofs.samples} times through the run, the best kept` : ""}): one thread ` +
      `${roofs.one.toFixed(1)} GFLOP/s; ${roofs.threads} threads together ${roofs.many?.toFixed(1) ?? "—"} GFLOP/s ` +
      `(every thread released at once, a round ends when the last finishes). Step GFLOP/s is the step's matmul flops ` +
      `(forward, dW, dX) over the median step time, so everything else in the step counts against it.`,
    "",
    markdownTable(["config", "gradfold-1t GFLOP/s", "of 1-thread peak", `${threadedId} GFLOP/s`, `of ${roofs.threads}-thread peak`], rows),
  ].join("\n");
}
