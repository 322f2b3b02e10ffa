import type { AnyTensor, Sizes } from "@gradfold/graph";
import type { Bindings, Pattern } from "./pattern.ts";

/** What a replacement may consult besides its bindings. */
export interface RuleContext {
  /** Rewrites that change IEEE semantics (x·0 → 0, reassociation, inexact reciprocals) are allowed. */
  readonly unsafe: boolean;
  /** Concrete sizes of symbolic dims, when known (specialize). */
  readonly sizes?: Sizes;
}

/** Builds the replacement from a match; null declines (the pattern matched but a side condition failed). */
export type Replacement = (b: Bindings, node: AnyTensor, ctx: RuleContext) => AnyTensor | null;

export interface Rule {
  /** States the algebra, e.g. "x*1 -> x". */
  readonly name: string;
  readonly pattern: Pattern;
  readonly replace: Replacement;
  /** Only applied when `ctx.unsafe`. */
  readonly unsafe: boolean;
}

export function rule(name: string, pattern: Pattern, replace: Replacement, options: { unsafe?: boolean } = {}): Rule {
  return { name, pattern, replace, unsafe: options.unsafe ?? false };
}
