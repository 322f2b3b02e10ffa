import { format, formatShape, type AnyTensor } from "@gradfold/graph";
import type { OpParams } from "@gradfold/graph/internal";

/**
 * A one-line expression for a node, nested `depth` levels deep: the before/after
 * text of a rule firing, e.g. `log(softmax(input "x") {axis: 1})`. Deeper operands
 * show as `op#id[shape]` so a snippet stays short on big graphs.
 */
export function snippet(node: AnyTensor, depth = 3): string {
  if (node.is("input") || node.is("param")) return `${node.op} ${JSON.stringify((node.params as OpParams["input"]).name)}`;
  if (node.is("constant")) {
    const { data, shape } = node.params;
    const first = data.length > 0 ? String(data[0]) : "";
    const uniform = data.every((x) => Object.is(x, data[0]));
    return shape.length === 0 ? first : uniform ? `fill(${first}, ${formatShape(shape)})` : `const${formatShape(shape)}`;
  }
  if (node.is("size")) return `size${formatShape(node.params.dims)}`;
  if (depth <= 0) return `${node.op}#${node.id}${formatShape(node.shape)}`;
  const args = node.inputs.map((t) => snippet(t, depth - 1)).join(", ");
  const entries = Object.entries(node.params as object);
  const extra = entries.length ? ` {${entries.map(([k, val]) => `${k}: ${JSON.stringify(val)}`).join(", ")}}` : "";
  return `${node.op}(${args})${extra}`;
}

/** format() of the subgraph under `node` when it has at most `limit` nodes (explain()'s listings), else undefined. */
export function smallFormat(node: AnyTensor, limit = 12): string | undefined {
  const seen = new Set<AnyTensor>();
  const stack = [node];
  while (stack.length) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (seen.size > limit) return undefined;
    stack.push(...t.inputs);
  }
  return format(node);
}
