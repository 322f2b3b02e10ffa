import { type Contender, runStep, type Trainer } from "./contender.ts";
import type { Problem } from "./problem.ts";
import { interleavedOrder, median, stepsWithinBudget } from "./stats.ts";

export interface StepOptions {
  /** Untimed steps per contender before timing, the first of which is reported apart. */
  readonly warmup: number;
  /** Timed steps per contender (upper bound; see budgetMs). */
  readonly steps: number;
  /** Wall time one contender may spend on timed steps of one config. */
  readonly budgetMs: number;
  /** How many first-step losses to keep for the cross-contender check. */
  readonly lossSteps: number;
  /**
   * Collect garbage (outside the clock) before each timed step, so that garbage one
   * contender leaves is not collected during another's step. It also takes each
   * contender's own major collections off its clock, which favours the allocating
   * peers over gradfold (which allocates nothing per step). Node: gc.ts's fullGc.
   */
  readonly collectGarbage?: () => void;
  /**
   * Process CPU time so far, in ms (Node: process.cpuUsage). Browsers have no such
   * clock; without it the CPU columns stay empty.
   */
  readonly cpuMs?: () => number;
  /** Where progress goes (stderr in the CLI), never into the table. */
  readonly log: (line: string) => void;
}

export interface ContenderRun {
  readonly id: string;
  readonly label: string;
  /** Set when the contender could not prepare or step; the rest is then empty. */
  readonly error?: string;
  /** Building/compiling before the first step (gradfold's compile(), tfjs variables, …). */
  readonly prepareMs: number;
  /** The first step alone: includes jax-js's jit compile and any lazy initialisation. */
  readonly firstStepMs: number;
  readonly samples: readonly number[];
  readonly medianMs: number | undefined;
  /**
   * Process CPU time (user + sys) of each timed step: unlike wall time, not inflated
   * when the OS runs someone else's work mid-step on a shared machine, but it counts
   * every thread of the process (GC helpers, background compilation, workers).
   */
  readonly cpuSamples: readonly number[];
  readonly medianCpuMs: number | undefined;
  /** Loss of each of the first steps, from the shared init and data. */
  readonly losses: readonly number[];
  readonly notes: readonly string[];
}

interface Live {
  contender: Contender;
  trainer?: Trainer;
  error?: string;
  prepareMs: number;
  firstStepMs: number;
  samples: number[];
  cpuSamples: number[];
  losses: number[];
  warmMs: number[];
}

const describeError = (e: unknown) => (e instanceof Error ? e.message.split("\n")[0] : String(e));

/**
 * Runs one problem on every contender in one process: prepare, first step, warm-up
 * (each contender on its own), then timed steps interleaved across contenders so
 * that machine noise falls on all of them alike. A contender that fails is reported
 * with its error and does not stop the others.
 */
export async function runConfig(problem: Problem, contenders: readonly Contender[], options: StepOptions): Promise<ContenderRun[]> {
  const live: Live[] = contenders.map((contender) => ({ contender, prepareMs: Number.NaN, firstStepMs: Number.NaN, samples: [], cpuSamples: [], losses: [], warmMs: [] }));
  for (const entry of live) {
    try {
      const t0 = performance.now();
      entry.trainer = await entry.contender.prepare(problem);
      entry.prepareMs = performance.now() - t0;
      const ownWarmup = entry.contender.warmup ?? 0;
      const warmSteps = Math.max(options.warmup, ownWarmup, options.lossSteps, 1);
      for (let i = 0; i < warmSteps; i++) {
        const s0 = performance.now();
        const loss = await runStep(entry.trainer);
        const ms = performance.now() - s0;
        if (i === 0) entry.firstStepMs = ms;
        else entry.warmMs.push(ms);
        if (entry.losses.length < options.lossSteps) entry.losses.push(loss);
        // The very slow (tfjs-cpu on the wide net) stop warming up once the loss check is covered.
        if (i + 1 >= Math.max(options.lossSteps, ownWarmup) && entry.warmMs.reduce((a, b) => a + b, 0) > options.budgetMs / 2) break;
      }
      options.log(`  ${entry.contender.label}: prepare ${entry.prepareMs.toFixed(0)} ms, first step ${entry.firstStepMs.toFixed(0)} ms`);
    } catch (e) {
      entry.error = describeError(e);
      options.log(`  ${entry.contender.label}: failed: ${entry.error}`);
    }
  }

  const running = live.filter((e) => e.trainer && !e.error);
  const targets = running.map((e) => stepsWithinBudget(options.steps, e.warmMs.length > 0 ? median(e.warmMs) : e.firstStepMs, options.budgetMs));
  for (const i of interleavedOrder(targets)) {
    const entry = running[i];
    if (entry.error) continue;
    try {
      options.collectGarbage?.();
      const c0 = options.cpuMs?.();
      const s0 = performance.now();
      await runStep(entry.trainer!);
      entry.samples.push(performance.now() - s0);
      if (c0 !== undefined) entry.cpuSamples.push(options.cpuMs!() - c0);
    } catch (e) {
      entry.error = describeError(e);
      options.log(`  ${entry.contender.label}: failed while timing: ${entry.error}`);
    }
  }

  const notesOf = live.map((e) => (e.trainer && !e.error ? e.trainer.notes() : []));
  for (const e of live) await e.trainer?.dispose();
  return live.map((e, i) => {
    const notes = notesOf[i];
    return {
      id: e.contender.id,
      label: e.contender.label,
      error: e.error,
      prepareMs: e.prepareMs,
      firstStepMs: e.firstStepMs,
      samples: e.samples,
      medianMs: e.samples.length > 0 && !e.error ? median(e.samples) : undefined,
      cpuSamples: e.cpuSamples,
      medianCpuMs: e.cpuSamples.length > 0 && !e.error ? median(e.cpuSamples) : undefined,
      losses: e.losses,
      notes,
    };
  });
}
