import { GraphError, broadcastTo, type AnyTensor, type OpKind } from "@gradfold/graph";
import { broadcastShapes, inheritSite, rebuild, sameShape, topoSort, withoutSites } from "@gradfold/graph/internal";
import { matchAll, rootKind, type Bindings } from "./pattern.ts";
import type { Rule, RuleContext } from "./rule.ts";
import { smallFormat, snippet } from "./snippet.ts";

/** One rule application, for explain(). */
export interface Firing {
  readonly phase: string;
  readonly rule: string;
  readonly nodeId: number;
  /** One-line expressions, nested a few levels deep. */
  readonly before: string;
  readonly after: string;
  /** format() listings of the rewritten subgraph before and after, when it is small (≤ 12 nodes). */
  readonly beforeGraph?: string;
  readonly afterGraph?: string;
}

export interface RewriteLimits {
  /** Whole-graph passes per phase; the fixed point is usually reached in 2–4. */
  readonly maxPasses: number;
  /** Rules applied in a row to one node within a pass. */
  readonly maxPerNode: number;
}

export const defaultLimits: RewriteLimits = { maxPasses: 32, maxPerNode: 16 };

/** Rules indexed by the op kind at their pattern's root, so a node only tries rules that can match it. */
class RuleIndex {
  private readonly byKind = new Map<OpKind | "constant", Rule[]>();
  private readonly anyKind: Rule[] = [];
  constructor(rules: readonly Rule[], ctx: RuleContext) {
    for (const r of rules) {
      if (r.unsafe && !ctx.unsafe) continue;
      const kind = rootKind(r.pattern);
      if (kind === null) this.anyKind.push(r);
      else this.byKind.set(kind, [...(this.byKind.get(kind) ?? []), r]);
    }
  }
  for(node: AnyTensor): readonly Rule[] {
    const own = this.byKind.get(node.op) ?? [];
    return this.anyKind.length ? [...own, ...this.anyKind] : own;
  }
}

/**
 * A replacement must keep the node's dtype and shape; a smaller shape that
 * broadcasts to it (x·1 → x where the 1 was the bigger operand) is broadcast back.
 * Anything else is declined rather than trusted.
 */
function conform(result: AnyTensor, node: AnyTensor): AnyTensor | null {
  if (result.dtype !== node.dtype) return null;
  if (sameShape(result.shape, node.shape)) return result;
  const b = broadcastShapes([result.shape, node.shape]);
  if (typeof b === "string" || !sameShape(b, node.shape)) return null;
  return broadcastTo(result, node.shape);
}

/**
 * A replacement that cannot build its graph (an operand shape it did not expect)
 * declines instead of failing the whole optimization: the graph stays correct,
 * just less optimized.
 */
function tryReplace(r: Rule, b: Bindings, node: AnyTensor, ctx: RuleContext): AnyTensor | null {
  try {
    return r.replace(b, node, ctx);
  } catch (e) {
    if (e instanceof GraphError) return null;
    throw e;
  }
}

function firstRewrite(node: AnyTensor, index: RuleIndex, ctx: RuleContext): { rule: Rule; result: AnyTensor } | null {
  for (const r of index.for(node)) {
    for (const b of matchAll(r.pattern, node)) {
      const raw = tryReplace(r, b, node, ctx);
      if (raw === null || raw === node) continue;
      const result = conform(raw, node);
      if (result !== null && result !== node) return { rule: r, result };
    }
  }
  return null;
}

/**
 * Rewrites `roots` with `rules` to a fixed point: each pass walks the graph bottom-up,
 * rebuilds every node on its rewritten operands and applies the first rule that
 * matches, repeatedly. Termination is guaranteed by the pass and per-node caps even
 * if two rules were to undo each other. Dead nodes vanish because only what the
 * roots reach is rebuilt.
 */
export function rewrite(
  roots: readonly AnyTensor[],
  rules: readonly Rule[],
  ctx: RuleContext,
  phase: string,
  record: (f: Firing) => void,
  limits: RewriteLimits = defaultLimits,
): AnyTensor[] {
  const index = new RuleIndex(rules, ctx);
  // Nodes on which no rule fires and whose operands are settled: skipped in later passes.
  const settled = new WeakSet<AnyTensor>();
  let current = [...roots];
  for (let pass = 0; pass < limits.maxPasses; pass++) {
    let fired = false;
    const mapped = new Map<AnyTensor, AnyTensor>();
    for (const node of topoSort(current)) {
      if (settled.has(node)) {
        mapped.set(node, node);
        continue;
      }
      let out = rebuild(
        node,
        node.inputs.map((t) => mapped.get(t)!),
      );
      for (let k = 0; k < limits.maxPerNode; k++) {
        const hit = withoutSites(() => firstRewrite(out, index, ctx));
        if (!hit) break;
        record({
          phase,
          rule: hit.rule.name,
          nodeId: out.id,
          before: snippet(out),
          after: snippet(hit.result),
          beforeGraph: smallFormat(out),
          afterGraph: smallFormat(hit.result),
        });
        // The rewritten node keeps the user's call site (checkNumerics names it).
        inheritSite(hit.result, out);
        out = hit.result;
        fired = true;
      }
      if (out === node && node.inputs.every((t) => settled.has(t))) settled.add(node);
      mapped.set(node, out);
    }
    current = current.map((t) => mapped.get(t)!);
    if (!fired) break;
  }
  return current;
}
