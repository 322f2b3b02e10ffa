import type { Problem } from "./problem.ts";

/** A training loop in progress for one contender on one problem. */
export interface Trainer {
  /**
   * One training step (forward, backward, update). Returns the loss at the params
   * before the update, and returns only once all of the step's work is done, so
   * that wall time around it is the cost of a step.
   */
  step(): Promise<number> | number;
  /** Facts worth printing under the table, e.g. a leak check. */
  notes(): string[];
  /** Frees what the trainer holds (a thread pool's shutdown may be asynchronous). */
  dispose(): void | Promise<void>;
}

/** A library under test: prepares a Trainer from the shared problem. */
export interface Contender {
  readonly id: string;
  /** Column header in the table. */
  readonly label: string;
  /** Untimed steps this contender needs before timing at least (an adaptive choice settling). */
  readonly warmup?: number;
  prepare(problem: Problem): Promise<Trainer>;
}

/** Runs one step and waits for it, whether the contender is sync or async. */
export async function runStep(trainer: Trainer): Promise<number> {
  const r = trainer.step();
  return typeof r === "number" ? r : await r;
}
