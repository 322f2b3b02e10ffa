import { compile } from "@gradfold/codegen";
import type { ModelCompiler } from "@gradfold/train";
import { threadedCompiler } from "@gradfold/train/node";
import { referenceModel } from "./step.ts";

export type BackendName = "auto" | "compiled" | "reference";

export interface Backend {
  readonly name: "compiled" | "reference";
  /** Threads per compiled model, the caller included (the reference backend: 1). */
  readonly threads: number;
  /** Compiles the model's entries: async when threaded (use compileModelAsync). */
  readonly compiler: ModelCompiler;
}

/**
 * The model backend: "compiled" (@gradfold/codegen: optimized graph, generated kernels;
 * the default), over `threads` threads (@gradfold/codegen/node's compileThreaded, whose
 * results are bit-identical to one thread's), or "reference" (@gradfold/graph's float64
 * interpreter: far too slow for MNIST, the oracle in tests). "auto" is compiled.
 */
export function chooseBackend(name: BackendName, threads = 1): Backend {
  if (name === "reference") return { name, threads: 1, compiler: (spec) => referenceModel(spec) };
  return { name: "compiled", threads, compiler: threads === 1 ? compile : threadedCompiler(threads) };
}
