import { compile } from "@gradfold/codegen";
import type { EntryStep, StepCompiler } from "@gradfold/train";
import { threadedCompiler } from "@gradfold/train/node";
import { referenceStep } from "./step.ts";

export type BackendName = "auto" | "compiled" | "reference";

export interface Backend {
  readonly name: "compiled" | "reference";
  /** Threads per compiled step, the caller included (the reference backend: 1). */
  readonly threads: number;
  /** Compiles one step: async when threaded (use compileModelAsync). */
  readonly compileStep: StepCompiler;
}

/**
 * The step backend: "compiled" (@gradfold/codegen: optimized graph, generated kernels;
 * the default), over `threads` threads (@gradfold/codegen/node's compileThreaded, whose
 * results are bit-identical to one thread's), or "reference" (@gradfold/graph's float64
 * interpreter: far too slow for MNIST, the oracle in tests). "auto" is compiled.
 */
export function chooseBackend(name: BackendName, threads = 1): Backend {
  if (name === "reference") {
    return { name, threads: 1, compileStep: (spec) => referenceStep({ ...spec, updates: spec.updates ?? [], sizes: spec.sizes ?? {} }) as unknown as EntryStep };
  }
  return { name: "compiled", threads, compileStep: threads === 1 ? compile : threadedCompiler(threads) };
}
