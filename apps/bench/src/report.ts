import { describeConfig } from "./configs.ts";
import { type BenchConfig, stepFlops } from "./problem.ts";
import type { ContenderRun } from "./run-config.ts";
import { maxAbsDiff } from "./stats.ts";
import { formatDiff, formatMs, formatRatio, markdownTable } from "./table.ts";

export interface ConfigRun {
  readonly config: BenchConfig;
  readonly runs: readonly ContenderRun[];
}

/**
 * The step-time section: median ms per step per contender, each peer's ratio to
 * the baseline (the first contender, gradfold by default; >1× means the baseline is
 * faster), compile/first-step times apart, and the loss agreement check.
 */
export function stepReport(results: readonly ConfigRun[], lossSteps: number, where = ""): string {
  if (results.length === 0) return "";
  const labels = results[0].runs.map((r) => r.label);
  const base = labels[0];
  const peers = labels.slice(1);
  const byLabel = (runs: readonly ContenderRun[], label: string) => runs.find((r) => r.label === label);

  const timeRows = results.map(({ config, runs }) => {
    const baseMs = byLabel(runs, base)?.medianMs;
    return [
      describeConfig(config),
      ...labels.map((l) => {
        const r = byLabel(runs, l);
        return r?.error ? "failed" : `${formatMs(r?.medianMs)} (n=${r?.samples.length ?? 0})`;
      }),
      ...peers.map((l) => formatRatio(byLabel(runs, l)?.medianMs, baseMs)),
      baseMs === undefined ? "—" : (stepFlops(config) / (baseMs * 1e6)).toFixed(1),
    ];
  });
  const timeTable = markdownTable(["config", ...labels.map((l) => `${l} ms/step`), ...peers.map((l) => `${l} / ${base}`), `${base} matmul GFLOP/s`], timeRows);

  const cpuRows = results.map(({ config, runs }) => {
    const baseCpu = byLabel(runs, base)?.medianCpuMs;
    return [
      describeConfig(config),
      ...labels.map((l) => {
        const r = byLabel(runs, l);
        return r?.error ? "failed" : formatMs(r?.medianCpuMs);
      }),
      ...peers.map((l) => formatRatio(byLabel(runs, l)?.medianCpuMs, baseCpu)),
    ];
  });
  const cpuTable = markdownTable(["config", ...labels.map((l) => `${l} CPU ms`), ...peers.map((l) => `${l} / ${base}`)], cpuRows);

  const firstRows = results.map(({ config, runs }) => [
    describeConfig(config),
    ...labels.map((l) => {
      const r = byLabel(runs, l);
      return r?.error ? "failed" : `${formatMs(r?.prepareMs)} + ${formatMs(r?.firstStepMs)}`;
    }),
  ]);
  const firstTable = markdownTable(["config", ...labels.map((l) => `${l} prepare + first step ms`)], firstRows);

  // Losses are checked against the first contender that ran (the baseline unless it failed).
  const lossRows = results.map(({ config, runs }) => {
    const ref = runs.find((r) => !r.error && r.losses.length > 0);
    return [
      describeConfig(config),
      ref ? `${ref.label}: ${ref.losses.map((v) => v.toFixed(5)).join(", ")}` : "—",
      ...labels.map((l) => {
        const r = byLabel(runs, l);
        if (!r || !ref || r.error) return "—";
        return r === ref ? "(reference)" : formatDiff(maxAbsDiff(r.losses, ref.losses));
      }),
    ];
  });
  const lossTable = markdownTable(["config", `reference losses, steps 1–${lossSteps}`, ...labels.map((l) => `${l} max |Δloss|`)], lossRows);

  const notes = results.flatMap(({ config, runs }) =>
    runs.flatMap((r) => [...(r.error ? [`${r.label} failed on ${config.id}: ${r.error}`] : []), ...r.notes.map((n) => `${config.id}: ${n}`)]),
  );

  // Browsers have no process CPU clock: no CPU table there.
  const hasCpu = results.some(({ runs }) => runs.some((r) => r.medianCpuMs !== undefined));
  const cpuSection = [
    `### Median CPU time per training step (same steps)${where}`,
    "",
    cpuTable,
    "",
    "Process CPU time (user + sys) around each timed step: not inflated when the OS preempts a step on a busy " +
      "machine, but it counts every thread of the process (GC helpers, background compilation, worker threads), so a " +
      "contender that uses two cores shows its total work here.",
    "",
  ];
  return [
    `### Median time per training step${where}`,
    "",
    timeTable,
    "",
    `Ratios are peer time / ${base} time from one interleaved run (> 1× means ${base} is faster); n is the number ` +
      `of timed steps (fewer for slow contenders, capped by the time budget). The last column is the step's matmul ` +
      `flops (forward, dW, dX) over ${base}'s median time.`,
    "",
    ...(hasCpu ? cpuSection : []),
    `### Setup and first step (compile / jit / lazy init), ms${where}`,
    "",
    firstTable,
    "",
    `### Same computation? Losses over the first steps from the same init and data${where}`,
    "",
    lossTable,
    ...(notes.length > 0 ? ["", "Notes:", "", ...notes.map((n) => `- ${n}`)] : []),
  ].join("\n");
}
