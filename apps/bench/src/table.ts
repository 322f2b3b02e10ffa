/** Column alignment in a markdown table. */
export type Align = "left" | "right";

/**
 * A GitHub-flavoured markdown table with columns padded to equal width, so it reads
 * well as plain text in a terminal too. Pipes in cells are escaped.
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const escapePipes = (cell: string) => cell.replaceAll("|", "\\|");
  const all = [header, ...rows].map((r) => header.map((_, c) => escapePipes(r[c] ?? "")));
  const widths = header.map((_, c) => Math.max(3, ...all.map((r) => r[c].length)));
  const alignOf = (c: number): Align => align[c] ?? (c === 0 ? "left" : "right");
  const pad = (cell: string, c: number) => (alignOf(c) === "left" ? cell.padEnd(widths[c]) : cell.padStart(widths[c]));
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(" | ")} |`;
  const rule = `|${widths.map((w, c) => (alignOf(c) === "left" ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(all[0]), rule, ...all.slice(1).map(line)].join("\n");
}

/** Milliseconds with about three significant digits: 0.412, 6.53, 41.2, 2183. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** A speed ratio peer/baseline as "12.3×"; "—" when either side is missing. */
export function formatRatio(peerMs: number | undefined, baseMs: number | undefined): string {
  if (peerMs === undefined || baseMs === undefined || !(baseMs > 0) || !Number.isFinite(peerMs)) return "—";
  const r = peerMs / baseMs;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`;
}

/** A small non-negative difference in scientific notation: 3.1e-6; exact zero prints as 0. */
export function formatDiff(d: number | undefined): string {
  if (d === undefined) return "—";
  if (d === 0) return "0";
  if (!Number.isFinite(d)) return "NaN/∞";
  return d.toExponential(1);
}
