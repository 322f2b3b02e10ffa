import type { OpKind, OpParams } from "./op.ts";
import { formatShape } from "./shape.ts";
import type { AnyTensor } from "./tensor.ts";
import { topoSort } from "./traverse.ts";

const showNumber = (v: number) => (Object.is(v, -0) ? "-0" : String(v));

/** Leaves print their identity instead of an argument list. */
const leafText: { [K in OpKind]?: (params: OpParams[K]) => string } = {
  input: (p) => JSON.stringify(p.name),
  param: (p) => JSON.stringify(p.name),
  size: (p) => formatShape(p.dims),
  constant: ({ data }) => {
    if (data.length === 1) return showNumber(data[0]);
    if (data.length > 1 && data.every((v) => Object.is(v, data[0]))) return `${showNumber(data[0])} (all ${data.length})`;
    const shown = Array.from(data.subarray(0, 6), showNumber).join(", ");
    return `[${shown}${data.length > 6 ? ", …" : ""}]`;
  },
};

function describeParams(node: AnyTensor, ref: (t: AnyTensor) => string): string {
  const leaf = leafText[node.op as OpKind] as ((params: unknown) => string) | undefined;
  if (leaf) return ` ${leaf(node.params)}`;
  const args = node.inputs.map(ref).join(", ");
  const entries = Object.entries(node.params as object);
  const extra = entries.length ? ` {${entries.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")}}` : "";
  return `(${args})${extra}`;
}

/**
 * A readable listing of a graph, one node a line in evaluation order:
 * `%3 = matmul(%0, %1) {transA: false, transB: false} : float32["batch", 256]`.
 */
export function format(outputs: AnyTensor | readonly AnyTensor[]): string {
  const list = Array.isArray(outputs) ? (outputs as readonly AnyTensor[]) : [outputs as AnyTensor];
  const order = topoSort(list);
  const names = new Map<AnyTensor, string>(order.map((t, i) => [t, `%${i}`]));
  const ref = (t: AnyTensor) => names.get(t)!;
  const lines = order.map((t) => `${ref(t)} = ${t.op}${describeParams(t, ref)} : ${t.dtype}${formatShape(t.shape)}`);
  lines.push(`return ${list.map(ref).join(", ")}`);
  return lines.join("\n");
}
