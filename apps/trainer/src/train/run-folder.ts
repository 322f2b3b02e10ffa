import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./checkpoint.ts";
import type { EpochMetrics } from "./metrics.ts";

/** The files of one run, all in one folder. */
export class RunFolder {
  constructor(readonly dir: string) {}

  get checkpointPath() {
    return join(this.dir, "checkpoint.bin");
  }
  get bestPath() {
    return join(this.dir, "best.bin");
  }
  get metricsPath() {
    return join(this.dir, "metrics.jsonl");
  }

  create(): void {
    mkdirSync(this.dir, { recursive: true });
  }

  hasCheckpoint(): boolean {
    return existsSync(this.checkpointPath);
  }

  writeJson(name: string, value: unknown): void {
    writeFileAtomic(join(this.dir, name), new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`));
  }

  writeText(name: string, text: string): void {
    writeFileSync(join(this.dir, name), text);
  }

  /** Rewrites metrics.jsonl from the history a checkpoint holds (drops lines written after it). */
  resetMetrics(history: readonly EpochMetrics[]): void {
    writeFileAtomic(this.metricsPath, new TextEncoder().encode(history.map((m) => `${JSON.stringify(m)}\n`).join("")));
  }

  appendMetrics(metrics: EpochMetrics): void {
    appendFileSync(this.metricsPath, `${JSON.stringify(metrics)}\n`);
  }
}
