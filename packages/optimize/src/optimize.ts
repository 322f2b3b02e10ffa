import { GraphError, Tensor, format, formatShape, type AnyTensor, type Sizes } from "@gradfold/graph";
import { sameShape, topoSort } from "@gradfold/graph/internal";
import { explanation, type Explanation, type PhaseReport } from "./explain.ts";
import { fuse } from "./fuse.ts";
import { pipeline, ruleTables, type Phase } from "./pipeline.ts";
import { naivePlan, planMemory } from "./plan-memory.ts";
import type { ExecutionPlan, Program } from "./program.ts";
import { defaultLimits, rewrite, type Firing, type RewriteLimits } from "./rewrite.ts";
import { describeGroup, programRoots, unfusedGroups, unfusedPlan, withStoredRoots } from "./schedule.ts";

export interface OptimizeOptions {
  /** Concrete sizes of symbolic dims: enables specialize and produces an execution plan. */
  readonly sizes?: Sizes;
  /** Switch phases off (all on by default): for debugging and for measuring what each buys. */
  readonly phases?: Partial<Record<Phase, boolean>>;
  /** Allow rewrites that change IEEE semantics (x·0 → 0, inexact reciprocals, …). */
  readonly unsafe?: boolean;
  /** Receives each rewrite phase's name with format() of the graph before and after it. */
  readonly dump?: (phase: string, before: string, after: string) => void;
  readonly limits?: Partial<RewriteLimits>;
}

/** The optimized roots in the form they were given. */
export type OptimizedOutputs<T> = T extends AnyTensor ? T : T extends readonly AnyTensor[] ? { -readonly [K in keyof T]: AnyTensor } : Program["outputs"];

export interface OptimizeResult<T> {
  readonly program: Program;
  readonly outputs: OptimizedOutputs<T>;
  /** What a compiled step runs at `options.sizes`: kernel groups and the arena; absent without sizes. */
  readonly plan?: ExecutionPlan;
  explain(): Explanation;
}

type Optimizable = AnyTensor | readonly AnyTensor[] | Program;

const describe = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "an array"
      : value instanceof Tensor
        ? String(value)
        : typeof value === "object"
          ? "an object"
          : `${typeof value} ${String(value)}`;

const isProgramLike = (input: unknown): input is { outputs: unknown; updates?: unknown } =>
  typeof input === "object" && input !== null && !(input instanceof Tensor) && !Array.isArray(input) && "outputs" in input;

/** The input as a Program, checked: each output a Tensor, each update [param, value of the param's shape and dtype]. */
function asProgram(input: Optimizable): Program {
  const expected = "optimize: expected a Tensor, a Tensor[] or a Program { outputs: Record<string, Tensor>, updates: [param, newValue][] }";
  if (input instanceof Tensor) return { outputs: { "0": input }, updates: [] };
  if (Array.isArray(input)) {
    input.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new GraphError(`${expected}; element ${i} is ${describe(t)}`);
    });
    return { outputs: Object.fromEntries(input.map((t, i) => [String(i), t])), updates: [] };
  }
  if (!isProgramLike(input)) throw new GraphError(`${expected}; got ${describe(input)}`);
  const { outputs, updates = [] } = input;
  if (typeof outputs !== "object" || outputs === null) throw new GraphError(`${expected}; outputs is ${describe(outputs)}`);
  for (const [name, t] of Object.entries(outputs)) if (!(t instanceof Tensor)) throw new GraphError(`${expected}; output ${JSON.stringify(name)} is ${describe(t)}`);
  if (!Array.isArray(updates)) throw new GraphError(`${expected}; updates is ${describe(updates)}`);
  updates.forEach((u: unknown, i: number) => {
    const pair = u as readonly unknown[];
    if (!Array.isArray(pair) || pair.length !== 2 || !(pair[0] instanceof Tensor) || !(pair[1] instanceof Tensor)) {
      throw new GraphError(`${expected}; update ${i} is not a [target, newValue] pair of Tensors`);
    }
    const [target, value] = pair as [AnyTensor, AnyTensor];
    if (!target.is("param")) throw new GraphError(`optimize: update ${i} targets ${target}; a target must be a param`);
    if (!sameShape(target.shape, value.shape) || target.dtype !== value.dtype) {
      throw new GraphError(
        `optimize: update ${i} of param ${JSON.stringify(target.params.name)} (${target.dtype}${formatShape(target.shape)}) got a new value of ${value.dtype}${formatShape(value.shape)}`,
      );
    }
  });
  const inputs = (input as { inputs?: unknown }).inputs;
  const fed = Array.isArray(inputs) && inputs.every((t) => t instanceof Tensor && t.is("input")) ? { inputs: inputs as AnyTensor[] } : {};
  return { outputs: outputs as Program["outputs"], updates: updates as Program["updates"], ...fed };
}

function outputsInForm<T extends Optimizable>(input: T, program: Program): OptimizedOutputs<T> {
  if (Array.isArray(input)) return input.map((_, i) => program.outputs[String(i)]) as never;
  if (input instanceof Tensor) return program.outputs["0"] as never;
  return program.outputs as never;
}

/** Rebuilds a program around rewritten roots, in the order programRoots lists them. */
function withRoots(program: Program, roots: readonly AnyTensor[]): Program {
  const names = Object.keys(program.outputs);
  const outputs = Object.fromEntries(names.map((n, i) => [n, roots[i]]));
  const updates = program.updates.map(([target], i) => [target, roots[names.length + i]] as const);
  return { ...program, outputs, updates };
}

/**
 * Optimizes a program (or one tensor, or a list): rewrite phases in pipeline order,
 * each to a fixed point; then, given sizes, the execution plan: kernel groups and the arena.
 */
export function optimize<T extends Optimizable>(input: T, options: OptimizeOptions = {}): OptimizeResult<T> {
  const original = asProgram(input);
  const enabled = (p: Phase) => options.phases?.[p] ?? true;
  const ctx = { unsafe: options.unsafe ?? false, sizes: options.sizes };
  const limits = { ...defaultLimits, ...options.limits };
  const tables = ruleTables();
  const firings: Firing[] = [];
  const phases: PhaseReport[] = [];

  let roots = programRoots(original);
  const nodesBefore = topoSort(roots).length;
  for (const phase of pipeline) {
    if (!enabled(phase) || (phase === "specialize" && !options.sizes)) continue;
    const before = topoSort(roots).length;
    const firedBefore = firings.length;
    const beforeText = options.dump ? format(roots) : "";
    roots = rewrite(roots, tables[phase], ctx, phase, (f) => firings.push(f), limits);
    if (options.dump) options.dump(phase, beforeText, format(roots));
    phases.push({ phase, nodesBefore: before, nodesAfter: topoSort(roots).length, firings: firings.length - firedBefore });
  }
  const program = withRoots(original, roots);

  let plan: ExecutionPlan | undefined;
  if (options.sizes) {
    const sizes = options.sizes;
    const stored = withStoredRoots(program);
    const groups = enabled("fuse") ? fuse(programRoots(stored)) : unfusedGroups(stored);
    const buffers = enabled("plan") ? planMemory(stored, groups, sizes) : naivePlan(stored, groups, sizes);
    plan = { program: stored, sizes, groups, buffers };
  }

  let explained: Explanation | undefined;
  const explain = (): Explanation => {
    if (explained) return explained;
    const base = { firings, phases, nodesBefore, nodesAfter: topoSort(roots).length };
    if (!plan) {
      explained = explanation(base);
      return explained;
    }
    const unfused = unfusedPlan(original, plan.sizes);
    explained = explanation({
      ...base,
      kernelsUnfused: unfused.groups.length,
      kernelsFused: plan.groups.length,
      bytesUnoptimized: unfused.buffers.naiveBytes,
      peakBytesBeforePlanning: plan.buffers.naiveBytes,
      peakBytesAfterPlanning: plan.buffers.peakBytes,
      arenaBytes: plan.buffers.arenaBytes,
      inPlaceUpdates: plan.buffers.inPlaceUpdates.length,
      updates: plan.program.updates.length,
      kernels: plan.groups.map(describeGroup),
    });
    return explained;
  };
  return { program, outputs: outputsInForm(input, program), plan, explain };
}
