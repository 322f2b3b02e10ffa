import { referenceStep, type Step, type StepFactory, type StepSpec } from "./step.ts";

export type BackendName = "auto" | "compiled" | "reference";

export interface Backend {
  readonly name: "compiled" | "reference";
  readonly makeStep: StepFactory;
}

type Codegen = { compile(spec: StepSpec): Step };

/** @gradfold/codegen's compile(), or null while it cannot be loaded. */
async function loadCompile(): Promise<Codegen["compile"] | null> {
  try {
    // A computed specifier: @gradfold/codegen may not have landed in this checkout yet.
    const specifier = "@gradfold/codegen";
    const mod = (await import(specifier)) as Partial<Codegen>;
    return typeof mod.compile === "function" ? mod.compile : null;
  } catch {
    return null;
  }
}

/**
 * The step backend: "compiled" (codegen's JIT, the fast path), "reference" (the
 * float64 interpreter; tiny problems and tests only), or "auto": compiled when it is
 * available.
 */
export async function chooseBackend(name: BackendName, warn: (line: string) => void): Promise<Backend> {
  if (name === "reference") return { name, makeStep: referenceStep };
  const compile = await loadCompile();
  if (compile) return { name: "compiled", makeStep: (spec) => compile(spec) };
  if (name === "compiled") throw new Error("--backend compiled: @gradfold/codegen's compile() is not available in this checkout");
  warn("warning: @gradfold/codegen's compile() is not available; using the float64 reference interpreter, which is far too slow for MNIST");
  return { name: "reference", makeStep: referenceStep };
}
