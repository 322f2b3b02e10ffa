import { formatShape, GraphError, Tensor, type AnyTensor, type Sizes } from "@gradfold/graph";
import type { OptimizeOptions, Program } from "@gradfold/optimize";

/** A training (or inference) step: what is fed, what comes out, what is updated in place. */
export interface StepSpec {
  /** Every input node the step reads, fed by name to run(). */
  readonly inputs: readonly AnyTensor[];
  /** Named results of run(). */
  readonly outputs: Readonly<Record<string, AnyTensor>>;
  /** `[target, newValue]`: targets are params (weights or optimizer state slots), assigned after the step. */
  readonly updates?: ReadonlyArray<readonly [AnyTensor, AnyTensor]>;
  /** Sizes of symbolic dims, e.g. `{ batch: 128 }`. */
  readonly sizes?: Sizes;
}

export type Backend = "js" | "wasm" | "auto";

export interface CompileOptions {
  /** Run @gradfold/optimize first (default true); options are passed through (sizes come from the spec). */
  readonly optimize?: boolean | Omit<OptimizeOptions, "sizes">;
  /**
   * Kernel backend. "auto" (default) uses Wasm SIMD kernels where one exists and the
   * engine validates SIMD, JS elsewhere (each kernel's `runs` says which); "wasm"
   * requires every kernel to be Wasm SIMD and throws naming those that cannot be;
   * "js" uses no Wasm kernels.
   */
  readonly backend?: Backend;
  /**
   * Check every kernel's float outputs as the step runs (one kernel per node): the
   * first NaN or ±Infinity throws an error naming the op, its shape, the line of your
   * code that built it, the kernel, and the values it read; params and optimizer state
   * are left as before the step. Off by default; when off, nothing is generated for it.
   */
  readonly checkNumerics?: boolean;
  /**
   * A model's cache of specializations for other sizes (run(entry, feeds, sizes)): the
   * most kept at once, least recently used dropped first. Default 8; 0 compiles every time.
   */
  readonly specializations?: number;
}

/** Checks a spec's structure and returns it as an optimizer Program. */
export function checkSpec(spec: StepSpec, what: string): Program {
  if (spec === null || typeof spec !== "object") throw new GraphError(`${what}: expected a spec { inputs, outputs, updates?, sizes? }, got ${spec}`);
  if (!Array.isArray(spec.inputs)) throw new GraphError(`${what}: spec.inputs must be an array of input nodes`);
  spec.inputs.forEach((t, i) => {
    if (!(t instanceof Tensor) || !t.is("input")) throw new GraphError(`${what}: spec.inputs[${i}] must be an input node, got ${t instanceof Tensor ? t.toString() : typeof t}`);
  });
  if (spec.outputs === null || typeof spec.outputs !== "object") throw new GraphError(`${what}: spec.outputs must be an object of named tensors`);
  const outputs: Record<string, AnyTensor> = Object.create(null);
  for (const name of Object.keys(spec.outputs)) {
    const t = spec.outputs[name];
    if (!(t instanceof Tensor)) throw new GraphError(`${what}: output ${JSON.stringify(name)} is not a Tensor`);
    outputs[name] = t;
  }
  const updates = spec.updates ?? [];
  if (!Array.isArray(updates)) throw new GraphError(`${what}: spec.updates must be an array of [target, newValue] pairs`);
  const targets = new Set<AnyTensor>();
  updates.forEach((u, i) => {
    const [target, value] = Array.isArray(u) ? u : [];
    if (!(target instanceof Tensor) || !target.is("param")) throw new GraphError(`${what}: updates[${i}] target must be a param node`);
    if (!(value instanceof Tensor)) throw new GraphError(`${what}: updates[${i}] value for ${JSON.stringify(target.params.name)} is not a Tensor`);
    if (value.dtype !== "float32" || formatShape(value.shape) !== formatShape(target.shape)) {
      throw new GraphError(
        `${what}: update of param ${JSON.stringify(target.params.name)} must be float32${formatShape(target.shape)}, got ${value.dtype}${formatShape(value.shape)}`,
      );
    }
    if (targets.has(target)) throw new GraphError(`${what}: param ${JSON.stringify(target.params.name)} is updated twice`);
    targets.add(target);
  });
  return { outputs, updates: updates.map(([t, v]) => [t, v] as const), inputs: spec.inputs };
}
