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
