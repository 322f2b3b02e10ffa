import type { AnyTensor, Sizes } from "@gradfold/graph";

/** The part of @gradfold/codegen's public contract (DESIGN.md) the bench drives. */
export type Backend = "js" | "wasm" | "auto";

export interface CompileSpec {
  readonly inputs: readonly AnyTensor[];
  readonly outputs: Readonly<Record<string, AnyTensor>>;
  readonly updates?: ReadonlyArray<readonly [AnyTensor, AnyTensor]>;
  readonly sizes?: Sizes;
}

export interface CompileOptions {
  readonly backend?: Backend;
}

export interface CompiledStep {
  /** Results are views into the step's arena, overwritten by the next run. */
  run(feeds: Readonly<Record<string, Float32Array | Int32Array>>): Readonly<Record<string, Float32Array | Int32Array>>;
  read(name: string): Float32Array;
  write(name: string, data: ArrayLike<number>): void;
}

export interface Codegen {
  compile(spec: CompileSpec, options?: CompileOptions): CompiledStep;
}

let codegen: Promise<Codegen> | undefined;

/**
 * Loads @gradfold/codegen by its public name. The specifier is a variable so that
 * the bench typechecks and its peer harness runs while codegen is still being
 * written; a missing compile() becomes a "failed" cell with the reason.
 */
export function loadCodegen(): Promise<Codegen> {
  codegen ??= (async () => {
    const name = "@gradfold/codegen";
    const mod = (await import(name)) as Partial<Codegen>;
    if (typeof mod.compile !== "function") throw new Error("@gradfold/codegen does not export compile() yet");
    return mod as Codegen;
  })();
  return codegen;
}
