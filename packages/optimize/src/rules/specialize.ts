import { numel, scalar } from "@gradfold/graph";
import { bindShape } from "@gradfold/graph/internal";
import { when } from "../pattern.ts";
import { rule, type Rule } from "../rule.ts";

/** Rewrites that need the concrete sizes the step is compiled for. */
export const specialize: Rule[] = [
  rule(
    "size(dims) -> constant at the given sizes",
    when("n", (t) => t.is("size")),
    ({ n }, _node, ctx) => {
      if (!n.is("size") || ctx.sizes === undefined) return null;
      if (!n.params.dims.every((d) => typeof d === "number" || ctx.sizes![d] !== undefined)) return null;
      return scalar(numel(bindShape(n.params.dims, ctx.sizes, "size")));
    },
  ),
];
