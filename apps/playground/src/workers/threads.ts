import { compile, type CompiledStep, type StepSpec } from "@gradfold/codegen";
import { compileThreaded } from "@gradfold/codegen/threads";
import type { ThreadPlan } from "./thread-plan.ts";

/** A compiled step that may own worker threads: `close()` stops them (a no-op for one thread). */
export type ClosableStep = CompiledStep & { close(): Promise<void> };

/**
 * compile() on one thread, or compileThreaded's Web Worker pool (bit-identical results)
 * on more. The threaded step blocks in Atomics.wait, so call this inside a Worker.
 */
export async function compileStep(spec: StepSpec, plan: ThreadPlan): Promise<ClosableStep> {
  if (plan.threads > 1) return compileThreaded(spec, { threads: plan.threads });
  return { ...compile(spec), close: async () => {} };
}

/**
 * Compiles every spec with the plan; when the threaded compile fails (the pool's workers
 * cannot start, e.g. a Content-Security-Policy without `worker-src blob:`), stops what
 * it started and compiles all on one thread instead, with a plan that says why. Errors
 * of the steps themselves fail the one-thread compile too, and are thrown.
 */
export async function compileSteps(specs: readonly StepSpec[], plan: ThreadPlan): Promise<{ steps: ClosableStep[]; plan: ThreadPlan }> {
  const steps: ClosableStep[] = [];
  try {
    for (const spec of specs) steps.push(await compileStep(spec, plan));
    return { steps, plan };
  } catch (e) {
    await Promise.all(steps.map((step) => step.close()));
    if (plan.threads === 1) throw e;
    const single = { threads: 1, text: `1 thread: the worker pool did not start (${e instanceof Error ? e.message : String(e)})` };
    return compileSteps(specs, single);
  }
}
