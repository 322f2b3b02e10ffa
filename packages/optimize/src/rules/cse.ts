import { apply, isConcrete, registry, type AnyTensor } from "@gradfold/graph";
import { when } from "../pattern.ts";
import { rule, type Rule } from "../rule.ts";
import { isCommutativeBinary } from "./helpers.ts";

/** Operand order for commutative ops: constants last, otherwise by node id, so a·b and b·a intern to one node. */
function orderKey(t: AnyTensor): [number, number] {
  return [t.is("constant") ? 1 : 0, t.id];
}
const outOfOrder = (node: AnyTensor): boolean => {
  if (!isCommutativeBinary(node)) return false;
  const [a, b] = node.inputs.map(orderKey);
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
};

function constantKey(node: AnyTensor): string | null {
  if (!node.is("constant") || !isConcrete(node.params.shape)) return null;
  const { data, shape, dtype } = node.params;
  return `${dtype}[${shape.join(",")}]${Array.from(data, (x) => (Object.is(x, -0) ? "-0" : String(x))).join(",")}`;
}

/**
 * Merge: most structurally equal nodes are already one object (interning); what
 * remains is commutative operand order and large constants (which the graph does
 * not intern). The constant pool lives as long as one optimize() call.
 */
export function cseRules(): Rule[] {
  const pool = new Map<string, AnyTensor>();
  return [
    rule("a∘b -> b∘a (commutative operands in canonical order)", when("n", outOfOrder), ({ n }) =>
      apply(registry[n.op] as never, [n.inputs[1], n.inputs[0]], n.params as never),
    ),
    rule(
      "equal constants -> one constant",
      when("k", (t) => t.is("constant") && t.params.data.length > 64),
      ({ k }) => {
        const key = constantKey(k);
        if (key === null) return null;
        const first = pool.get(key);
        if (first === undefined) pool.set(key, k);
        return first ?? null;
      },
    ),
  ];
}
