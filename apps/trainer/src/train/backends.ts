import { compile } from "@gradfold/codegen";
import { referenceStep, type StepFactory } from "./step.ts";

export type BackendName = "auto" | "compiled" | "reference";

export interface Backend {
  readonly name: "compiled" | "reference";
  readonly makeStep: StepFactory;
}

/**
 * The step backend: "compiled" (@gradfold/codegen's compile(): optimized graph,
 * generated kernels; the default) or "reference" (@gradfold/graph's float64
 * interpreter: far too slow for MNIST, the oracle in tests). "auto" is compiled.
 */
export function chooseBackend(name: BackendName): Backend {
  if (name === "reference") return { name, makeStep: referenceStep };
  return {
    name: "compiled",
    makeStep(spec) {
      const step = compile(spec);
      // Every output of the trainer's programs is float32 (losses, predictions, norms).
      return { run: (feeds) => step.run(feeds) as Record<string, Float32Array>, read: step.read, write: step.write };
    },
  };
}
