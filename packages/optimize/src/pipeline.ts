import type { Rule } from "./rule.ts";
import { canonicalize } from "./rules/canonicalize.ts";
import { cseRules } from "./rules/cse.ts";
import { fold } from "./rules/fold.ts";
import { simplify } from "./rules/simplify.ts";
import { specialize } from "./rules/specialize.ts";
import { stabilize } from "./rules/stabilize.ts";

/** The rewrite phases; `fuse` and `plan` are the schedule steps that follow them. */
export type RewritePhase = "cse" | "fold" | "simplify" | "canonicalize" | "stabilize" | "specialize";
export type Phase = RewritePhase | "fuse" | "plan";

/** Rule tables per phase, made fresh for each optimize() call (the CSE constant pool is per call). */
export function ruleTables(): Record<RewritePhase, readonly Rule[]> {
  return { cse: cseRules(), fold, simplify, canonicalize, stabilize, specialize };
}

/**
 * The order phases run in. Each runs its table to a fixed point. The round is
 * repeated because stabilized forms expose new simplifications (−(−softplus(x))),
 * and specialize (sizes become constants) is followed by a cleanup round that folds
 * and simplifies what it exposed (mean's division by a now-constant count).
 */
export const pipeline: readonly RewritePhase[] = [
  "cse",
  "fold",
  "simplify",
  "canonicalize",
  "stabilize",
  "cse",
  "fold",
  "simplify",
  "canonicalize",
  "stabilize",
  "specialize",
  "cse",
  "fold",
  "simplify",
  "canonicalize",
];
