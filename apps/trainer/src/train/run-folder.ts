import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./checkpoint.ts";
import type { EpochMetrics } from "./metrics.ts";

export interface StepLoss {
  readonly step: number;
  readonly loss: number;
}

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
  /** One line per optimizer step: `{"step":n,"loss":l}`, written at each checkpoint. */
  get stepsPath() {
    return join(this.dir, "steps.jsonl");
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

  /** Keeps the step lines up to `step` (those a checkpoint covers); returns them. */
  truncateSteps(step: number): StepLoss[] {
    const kept = existsSync(this.stepsPath)
      ? readFileSync(this.stepsPath, "utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => JSON.parse(l) as StepLoss)
          .filter((l) => l.step <= step)
      : [];
    writeFileAtomic(this.stepsPath, new TextEncoder().encode(kept.map((l) => `${JSON.stringify(l)}\n`).join("")));
    return kept;
  }

  appendSteps(lines: readonly StepLoss[]): void {
    if (lines.length > 0) appendFileSync(this.stepsPath, lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  }

  appendMetrics(metrics: EpochMetrics): void {
    appendFileSync(this.metricsPath, `${JSON.stringify(metrics)}\n`);
  }
}
