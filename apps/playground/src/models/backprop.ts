import { evaluate, grad, input, param, type AnyTensor } from "@gradfold/graph";
import { evaluateValues, topoSort } from "@gradfold/graph/internal";

/** One node of the small network's loss graph, with what the view shows about it. */
export interface GraphNode {
  readonly node: AnyTensor;
  readonly label: string;
  /** Longest path from a leaf: the column the node is drawn in. */
  readonly level: number;
  readonly value: Float64Array;
  /** ∂L/∂node, when the node lies on a path from a param or input to the loss. */
  readonly gradient?: Float64Array;
  /** Nodes that use this one: each sends a contribution to its gradient. */
  readonly consumers: readonly AnyTensor[];
  /** Inputs of this node whose gradient is built from this node's gradient (computed once, reused by each). */
  readonly reusedBy: readonly AnyTensor[];
}

export interface BackpropGraph {
  readonly nodes: readonly GraphNode[];
  /** Nodes in the order the backward pass computes their gradients (the loss first). */
  readonly backwardOrder: readonly AnyTensor[];
  readonly params: readonly AnyTensor[];
  /** Distinct backward nodes when every param's gradient comes from one grad() call (shared). */
  readonly backwardNodesShared: number;
  /** The same, summed over one grad() call per param, as if nothing were shared. */
  readonly backwardNodesSeparate: number;
}

const describe = (t: AnyTensor) => (t.is("param") || t.is("input") ? `${t.params.name}` : `${t.op}#${t.id}`);

export { describe as nodeLabel };

/**
 * A 2-2-1 network's squared-error loss L = (σ(x·W1 + b1)·W2 + b2 − y)² on one
 * example: every node's forward value from evaluate(), every node's gradient from
 * grad() with respect to all nodes at once, and how much grad() shares.
 */
export function backpropGraph(x: readonly [number, number], y: number, weights: { W1: number[]; b1: number[]; W2: number[]; b2: number[] }): BackpropGraph {
  const xIn = input("x", [1, 2]);
  const yIn = input("y", [1, 1]);
  const W1 = param("W1", [2, 2], { init: weights.W1 });
  const b1 = param("b1", [2], { init: weights.b1 });
  const W2 = param("W2", [2, 1], { init: weights.W2 });
  const b2 = param("b2", [1], { init: weights.b2 });
  const h = xIn.matmul(W1).add(b1).sigmoid();
  const loss = h.matmul(W2).add(b2).sub(yIn).square().sum();
  const params = [W1, b1, W2, b2];

  const order = topoSort([loss]);
  const feeds = { x: Float32Array.from(x), y: Float32Array.from([y]) };
  const values = evaluateValues([loss], feeds, {});
  const consumers = new Map<AnyTensor, AnyTensor[]>(order.map((n) => [n, []]));
  for (const n of order) for (const i of n.inputs) consumers.get(i)!.push(n);
  // Ops by longest path from the leaves; each leaf then sits one column before its first consumer.
  const level = new Map<AnyTensor, number>();
  for (const n of order) level.set(n, n.inputs.length ? 1 + Math.max(...n.inputs.map((i) => level.get(i)!)) : 0);
  for (const n of order) if (n.inputs.length === 0 && consumers.get(n)!.length) level.set(n, Math.min(...consumers.get(n)!.map((c) => level.get(c)!)) - 1);

  // A node carries a gradient when it depends on a param or an input (constants do not).
  const onPath = new Set<AnyTensor>();
  for (const n of order) if (n.is("param") || n.is("input") || n.inputs.some((i) => onPath.has(i))) onPath.add(n);
  const differentiable = order.filter((n) => onPath.has(n) && n.dtype === "float32");
  const adjoints = grad(loss, differentiable);
  const gradients = new Map(differentiable.map((n, i) => [n, evaluate(adjoints[i], feeds)]));

  const backwardOf = (roots: readonly AnyTensor[]) => topoSort(roots).filter((n) => !values.has(n) && !n.is("constant")).length;
  const shared = backwardOf(grad(loss, params));
  const separate = params.reduce((sum, p) => sum + backwardOf([grad(loss, p)]), 0);

  const nodes = order.map((n) => ({
    node: n,
    label: describe(n),
    level: level.get(n)!,
    value: values.get(n)!.data,
    gradient: gradients.get(n),
    consumers: consumers.get(n)!,
    reusedBy: [...new Set(n.inputs.filter((i) => onPath.has(i)))],
  }));
  return { nodes, backwardOrder: [...differentiable].reverse(), params, backwardNodesShared: shared, backwardNodesSeparate: separate };
}
