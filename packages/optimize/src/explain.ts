import type { Firing } from "./rewrite.ts";

export interface PhaseReport {
  readonly phase: string;
  readonly nodesBefore: number;
  readonly nodesAfter: number;
  readonly firings: number;
}

/** What optimize() did, as data; `text` is the same as a readable summary. */
export interface Explanation {
  readonly firings: readonly Firing[];
  /** How often each rule fired. */
  readonly ruleCounts: Readonly<Record<string, number>>;
  readonly phases: readonly PhaseReport[];
  readonly nodesBefore: number;
  readonly nodesAfter: number;
  /** Kernel counts and bytes, present when sizes were given. */
  readonly kernelsUnfused?: number;
  readonly kernelsFused?: number;
  /** Every node of the unoptimized program in its own buffer. */
  readonly bytesUnoptimized?: number;
  /** The optimized, fused schedule with every materialised value in its own buffer. */
  readonly peakBytesBeforePlanning?: number;
  /** The same schedule after buffer reuse and in-place writes: bytes live at the worst point. */
  readonly peakBytesAfterPlanning?: number;
  /** The arena a compiled step allocates: every planned buffer aligned, plus kernel scratch. */
  readonly arenaBytes?: number;
  /** Updates written straight into their target's buffer, of all updates. */
  readonly inPlaceUpdates?: number;
  readonly updates?: number;
  /** One line per kernel of the plan, e.g. "#0 matmul: matmul → add → relu (3 in, 1 out)"; a compiled step's `kernels[i].group` are the same lines. */
  readonly kernels?: readonly string[];
  readonly text: string;
}

export type ExplanationData = Omit<Explanation, "text" | "ruleCounts">;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function explanation(data: ExplanationData): Explanation {
  const ruleCounts: Record<string, number> = {};
  for (const f of data.firings) ruleCounts[f.rule] = (ruleCounts[f.rule] ?? 0) + 1;
  const lines: string[] = [];
  lines.push(`nodes: ${data.nodesBefore} -> ${data.nodesAfter}`);
  if (data.kernelsFused !== undefined) lines.push(`kernels: ${data.kernelsUnfused} unfused -> ${data.kernelsFused} fused`);
  if (data.peakBytesAfterPlanning !== undefined) {
    lines.push(
      `bytes: ${kb(data.bytesUnoptimized!)} unoptimized (every node its own buffer) -> ` +
        `${kb(data.peakBytesBeforePlanning!)} fused, unplanned -> ${kb(data.peakBytesAfterPlanning)} planned peak ` +
        `(arena ${kb(data.arenaBytes ?? data.peakBytesAfterPlanning)})`,
    );
  }
  if (data.inPlaceUpdates !== undefined) lines.push(`updates in place: ${data.inPlaceUpdates} of ${data.updates}`);
  lines.push("phases:");
  for (const p of data.phases) lines.push(`  ${p.phase.padEnd(13)} ${String(p.nodesBefore).padStart(5)} -> ${String(p.nodesAfter).padEnd(5)} ${p.firings} rewrites`);
  if (data.kernels) {
    lines.push("kernels:");
    for (const k of data.kernels) lines.push(`  ${k}`);
  }
  lines.push("rules fired:");
  for (const [name, count] of Object.entries(ruleCounts).sort((a, b) => b[1] - a[1])) lines.push(`  ${String(count).padStart(4)}× ${name}`);
  lines.push("rewrites:");
  for (const f of data.firings) lines.push(`  [${f.phase}] ${f.rule}: ${f.before}  =>  ${f.after}`);
  return { ...data, ruleCounts, text: lines.join("\n") };
}
