/**
 * The graph optimizer: rewrite phases, fusion into kernel groups and the memory plan, with `explain()`. (The training optimizers are `@gradfold/optimizers`.)
 *
 * @module @gradfold/optimize
 */
export type { Program, KernelGroup, BufferPlan, ExecutionPlan } from "./program.ts";
export { unfusedPlan, unfusedGroups, programRoots, groupKind, describeGroup, withStoredRoots } from "./schedule.ts";
export { isLeaf, isView, storageRoot } from "./storage.ts";
export { optimize, type OptimizeOptions, type OptimizeResult, type OptimizedOutputs } from "./optimize.ts";
export type { Explanation, PhaseReport } from "./explain.ts";
export { pipeline, ruleTables, type Phase, type RewritePhase } from "./pipeline.ts";
export { rule, type Rule, type RuleContext, type Replacement } from "./rule.ts";
export { v, c, op, opAs, when, matchAll, type Pattern, type Bindings } from "./pattern.ts";
export { rewrite, type Firing, type RewriteLimits } from "./rewrite.ts";
export { fuse } from "./fuse.ts";
export { planMemory, naivePlan, scratchFor, ARENA_ALIGN, ARENA_PAGE } from "./plan-memory.ts";
export { simplify } from "./rules/simplify.ts";
export { canonicalize } from "./rules/canonicalize.ts";
export { stabilize, bceWithLogits } from "./rules/stabilize.ts";
export { specialize } from "./rules/specialize.ts";
export { fold } from "./rules/fold.ts";
export { cseRules } from "./rules/cse.ts";
export { snippet } from "./snippet.ts";
