import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { appendDurable, cleanStaleTemps, type FileLayer, nodeFiles, writeFileDurable } from "../io/durable-write.ts";
import { jsonText } from "../io/json-text.ts";
import type { EpochMetrics } from "./run-state.ts";

export interface StepLoss {
  readonly step: number;
  readonly loss: number;
}

/** Every file a run writes into its folder; a folder holding any of them holds a run. */
export const runFileNames = [
  "config.json",
  "config-history.jsonl",
  "metrics.jsonl",
  "steps.jsonl",
  "report.json",
  "predictions.csv",
  "checkpoint.bin",
  "best.bin",
  "weights.safetensors",
  "loss.svg",
  "accuracy.svg",
  "steps.svg",
] as const;

/**
 * Node's recursive mkdir reports ENOENT where the real trouble is a read-only or
 * forbidden parent; a plain mkdir of the first missing folder gets the OS's own answer
 * (EROFS, EACCES).
 */
function trueMkdirError(dir: string, recursiveError: Error): Error {
  let missing = dir;
  while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
  try {
    mkdirSync(missing);
  } catch (err) {
    return err as Error;
  }
  return recursiveError;
}

/** The files of one run, all in one folder, all written through one durable-write helper. */
export class RunFolder {
  constructor(
    readonly dir: string,
    readonly files: FileLayer = nodeFiles,
  ) {}

  get checkpointPath() {
    return join(this.dir, "checkpoint.bin");
  }
  get bestPath() {
    return join(this.dir, "best.bin");
  }
  /** The final weights in safetensors (Python's safetensors, NumPy, PyTorch read them). */
  get weightsPath() {
    return join(this.dir, "weights.safetensors");
  }
  get configPath() {
    return join(this.dir, "config.json");
  }
  get metricsPath() {
    return join(this.dir, "metrics.jsonl");
  }
  /** One line per optimizer step: `{"step":n,"loss":l}`, appended as each step finishes. */
  get stepsPath() {
    return join(this.dir, "steps.jsonl");
  }
  /** One line per start or resume, with the settings a resume changed. */
  get historyPath() {
    return join(this.dir, "config-history.jsonl");
  }

  /** Creates the folder; the error names it (a read-only place, a file in the way). */
  create(): void {
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (err) {
      throw new Error(`cannot create the run folder ${this.dir} (--out): ${trueMkdirError(this.dir, err as Error).message}`);
    }
    if (!statSync(this.dir).isDirectory()) throw new Error(`the run folder ${this.dir} (--out) is a file, not a folder`);
  }

  /** The run files already in the folder (empty for a new folder). */
  existingRunFiles(): string[] {
    return runFileNames.filter((name) => existsSync(join(this.dir, name)));
  }

  /**
   * Clears an earlier run's files for a new run (--force), leftovers of killed writes
   * too. Called only once the new run has loaded its data and compiled, so a run that
   * fails at start leaves the earlier run untouched.
   */
  startFresh(): void {
    this.create();
    for (const name of runFileNames) rmSync(join(this.dir, name), { force: true });
    cleanStaleTemps(this.dir, runFileNames);
  }

  hasCheckpoint(): boolean {
    return existsSync(this.checkpointPath);
  }

  writeFile(name: string, data: Uint8Array | string): void {
    writeFileDurable(join(this.dir, name), data, this.files);
  }

  writeJson(name: string, value: unknown): void {
    this.writeFile(name, `${jsonText(value, 2)}\n`);
  }

  /** Rewrites metrics.jsonl from the history a checkpoint holds (drops lines written after it). */
  resetMetrics(history: readonly EpochMetrics[]): void {
    this.writeFile("metrics.jsonl", history.map((m) => `${jsonText(m)}\n`).join(""));
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
    this.writeFile("steps.jsonl", kept.map((l) => `${jsonText(l)}\n`).join(""));
    return kept;
  }

  appendSteps(lines: readonly StepLoss[]): void {
    if (lines.length > 0) appendDurable(this.stepsPath, lines.map((l) => `${jsonText(l)}\n`).join(""), this.files);
  }

  appendMetrics(metrics: EpochMetrics): void {
    appendDurable(this.metricsPath, `${jsonText(metrics)}\n`, this.files);
  }

  appendHistory(entry: object): void {
    appendDurable(this.historyPath, `${jsonText(entry)}\n`, this.files);
  }
}
