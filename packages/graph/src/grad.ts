import { GraphError } from "./errors.ts";
import { add } from "./ops/binary.ts";
import { broadcastTo } from "./ops/layout.ts";
import { scalar } from "./ops/leaves.ts";
import { formatShape, sameShape } from "./shape.ts";
import { defOf } from "./registry.ts";
import { withoutSites } from "./sites.ts";
import { Tensor, type AnyTensor } from "./tensor.ts";
import { topoSort } from "./traverse.ts";

type Grads<Xs extends readonly AnyTensor[]> = { -readonly [K in keyof Xs]: Xs[K] };

/**
 * Reverse-mode derivative of `y` with respect to each of `xs`, as new graph: each
 * node's adjoint is built once from the summed cotangents of its users, then pushed
 * to its inputs by the op's vector-Jacobian rule. `seed` (y's shape) weights a
 * non-scalar `y`. Gradients are graph, so they can be differentiated again.
 */
export function grad<const Xs extends readonly AnyTensor[]>(y: AnyTensor, xs: Xs, seed?: AnyTensor): Grads<Xs>;
/** With a single x (not in an array), the single gradient. */
export function grad<X extends AnyTensor>(y: AnyTensor, x: X, seed?: AnyTensor): X;
export function grad(y: AnyTensor, xsIn: AnyTensor | readonly AnyTensor[], seed?: AnyTensor): AnyTensor | AnyTensor[] {
  if (xsIn instanceof Tensor) return grad(y, [xsIn], seed)[0];
  // Gradient nodes are gradfold's, not lines of the user's code: no call sites for them.
  return withoutSites(() => gradients(y, xsIn, seed));
}

function gradients(y: AnyTensor, xs: readonly AnyTensor[], seed?: AnyTensor): AnyTensor[] {
  if (!(y instanceof Tensor)) throw new GraphError(`grad: expected a Tensor to differentiate, got ${typeof y}`);
  if (!Array.isArray(xs)) throw new GraphError("grad: expected an array of tensors to differentiate with respect to");
  for (const [i, x] of xs.entries()) {
    if (!(x instanceof Tensor)) throw new GraphError(`grad: xs[${i}] is not a Tensor`);
    if (x.dtype !== "float32") throw new GraphError(`grad: xs[${i}] is ${x.dtype}; only float32 tensors have gradients`);
  }
  if (y.dtype !== "float32") throw new GraphError(`grad: y must be float32, got ${y.dtype}`);
  let start: AnyTensor;
  if (seed === undefined) {
    if (!y.shape.every((d: unknown) => d === 1)) {
      throw new GraphError(`grad: y must be a scalar (got shape ${formatShape(y.shape)}); reduce it with sum() or mean(), or pass a seed`);
    }
    start = broadcastTo(scalar(1), y.shape);
  } else {
    if (!sameShape(seed.shape, y.shape) || seed.dtype !== "float32") {
      throw new GraphError(`grad: seed must be float32${formatShape(y.shape)} like y, got ${seed.dtype}${formatShape(seed.shape)}`);
    }
    start = seed;
  }

  const order = topoSort([y]);
  const wanted = new Set<AnyTensor>(xs);
  // Only nodes on a path from some x to y carry cotangents.
  const onPath = new Set<AnyTensor>();
  for (const node of order) {
    if (wanted.has(node) || node.inputs.some((t) => onPath.has(t))) onPath.add(node);
  }

  const contributions = new Map<AnyTensor, AnyTensor[]>([[y, [start]]]);
  const adjoints = new Map<AnyTensor, AnyTensor>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    const parts = contributions.get(node);
    if (!parts || !onPath.has(node)) continue;
    contributions.delete(node);
    const adjoint = parts.reduce((acc, g) => add(acc, g));
    adjoints.set(node, adjoint);
    const def = defOf(node);
    if (node.inputs.length === 0 || !node.inputs.some((t) => onPath.has(t))) continue;
    if (!def.vjp) throw new GraphError(`grad: op ${node.op} has no vector-Jacobian rule`);
    const cotangents = def.vjp({ inputs: node.inputs, out: node, grad: adjoint, params: node.params as never });
    node.inputs.forEach((input, k) => {
      const ct = cotangents[k];
      if (!ct || !onPath.has(input) || input.dtype !== "float32") return;
      if (!sameShape(ct.shape, input.shape)) {
        throw new GraphError(`grad: internal error in ${node.op}'s rule: cotangent ${formatShape(ct.shape)} for operand ${formatShape(input.shape)}`);
      }
      const list = contributions.get(input);
      if (list) list.push(ct);
      else contributions.set(input, [ct]);
    });
  }
  return xs.map((x) => adjoints.get(x) ?? broadcastTo(scalar(0), x.shape));
}
