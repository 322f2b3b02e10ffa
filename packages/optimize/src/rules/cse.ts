import type { AnyTensor } from "@gradfold/graph";
import { apply, fnv1a as hashString, isConcrete, registry } from "@gradfold/graph/internal";
import { when } from "../pattern.ts";
import { rule, type Rule } from "../rule.ts";
import { isCommutativeBinary } from "./helpers.ts";

const hashes = new WeakMap<AnyTensor, number>();

/**
 * A hash of a node's structure (op, params, operands' hashes; leaves by name or data),
 * independent of creation order and of how often a node was rebuilt. Sorting
 * commutative operands by it makes the canonical order the same in every run.
 */
export function structuralHash(t: AnyTensor): number {
  const cached = hashes.get(t);
  if (cached !== undefined) return cached;
  let h = hashString(t.op);
  if (t.is("constant")) h = hashString(`${t.params.dtype}[${t.params.shape.join(",")}]${Array.from(t.params.data).join(",")}`, h);
  else if (t.is("param")) h = hashString(t.params.name, h);
  else h = hashString(JSON.stringify(t.params), h);
  for (const i of t.inputs) h = Math.imul(h ^ structuralHash(i), 0x01000193) >>> 0;
  hashes.set(t, h);
  return h;
}

/** Operand order for commutative ops: constants last, otherwise by structural hash, so a·b and b·a intern to one node. */
function orderKey(t: AnyTensor): [number, number] {
  return [t.is("constant") ? 1 : 0, structuralHash(t)];
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
    rule("a∘b -> b∘a (commutative operands in canonical order)", when("n", outOfOrder), ({ n }) => apply(registry[n.op] as never, [n.inputs[1], n.inputs[0]], n.params as never)),
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
