import { registry } from "./registry.ts";
import { inheritSite, withoutSites } from "./sites.ts";
import { apply, type AnyTensor } from "./tensor.ts";

/** Every node the outputs depend on, each after its inputs (iterative: deep graphs do not overflow the stack). */
export function topoSort(outputs: readonly AnyTensor[]): AnyTensor[] {
  const order: AnyTensor[] = [];
  const done = new Set<AnyTensor>();
  const stack: Array<[AnyTensor, number]> = [];
  for (const root of outputs) {
    if (done.has(root)) continue;
    stack.push([root, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [node, next] = top;
      if (next < node.inputs.length) {
        top[1]++;
        const child = node.inputs[next];
        if (!done.has(child)) stack.push([child, 0]);
      } else {
        stack.pop();
        if (!done.has(node)) {
          done.add(node);
          order.push(node);
        }
      }
    }
  }
  return order;
}

/** The same op on new inputs (interned, so unchanged inputs give back the same node). */
export function rebuild(node: AnyTensor, inputs: readonly AnyTensor[]): AnyTensor {
  if (inputs.length === node.inputs.length && inputs.every((t, i) => t === node.inputs[i])) return node;
  // A fresh copy stands for `node`: it takes node's call site, not the line that rebuilt it.
  const copy = withoutSites(() => apply(registry[node.op] as never, inputs, node.params as never));
  inheritSite(copy, node);
  return copy;
}

/** Rewrites `outputs` with some nodes replaced; everything above a replaced node is rebuilt. */
export function substitute(outputs: readonly AnyTensor[], replace: ReadonlyMap<AnyTensor, AnyTensor>): AnyTensor[] {
  const mapped = new Map<AnyTensor, AnyTensor>(replace);
  for (const node of topoSort(outputs)) {
    if (mapped.has(node)) continue;
    mapped.set(
      node,
      rebuild(
        node,
        node.inputs.map((t) => mapped.get(t)!),
      ),
    );
  }
  return outputs.map((t) => mapped.get(t)!);
}

/** The input and param leaves of a graph. */
export function leavesOf(outputs: readonly AnyTensor[]): { inputs: AnyTensor[]; params: AnyTensor[] } {
  const order = topoSort(outputs);
  return { inputs: order.filter((t) => t.op === "input"), params: order.filter((t) => t.op === "param") };
}
