import { constant, input } from "@gradfold/graph";
import { it } from "vitest";
import { ruleTables, type RewritePhase } from "../src/pipeline.ts";
import type { Rule } from "../src/rule.ts";

// The leaves the rule tests (rules.test.ts: each rule fires; near-miss.test.ts: each
// rule leaves a near miss alone) build their graphs from.
export const x = input("x", [2, 3]);
export const y = input("y", [2, 3]);
export const p = input("p", [2, 3]); // positive
export const u = input("u", [2, 3]); // in (0, 1)
export const m = input("m", [2, 3], "bool");
export const k = input("k", [2, 3], "int32");
export const labels = input("labels", [2], "int32");
export const row = input("row", [3]);
export const big = (v: number) =>
  constant(
    Array.from({ length: 70 }, (_, i) => v + i),
    [70],
  );
export const bigIn = input("bigIn", [70]);

/** The rule phases in pipeline order (fuse has no rule table). */
export const rulePhases: RewritePhase[] = ["cse", "fold", "simplify", "canonicalize", "stabilize", "specialize"];

/** One test per rule of every table, in pipeline order, named `[phase] rule`; `tables` is one ruleTables() for all. */
export function itEachRule(body: (phase: RewritePhase, rule: Rule, tables: Record<RewritePhase, Rule[]>) => void): void {
  const tables = ruleTables() as Record<RewritePhase, Rule[]>;
  for (const phase of rulePhases) for (const r of tables[phase]) it(`[${phase}] ${r.name}`, () => body(phase, r, tables));
}
