import type { OpParams } from "./op.ts";
import { formatShape } from "./shape.ts";
import type { AnyTensor } from "./tensor.ts";
import { topoSort } from "./traverse.ts";

function describeParams(node: AnyTensor, ref: (t: AnyTensor) => string): string {
  switch (node.op) {
    case "input":
      return JSON.stringify((node.params as OpParams["input"]).name);
    case "param":
      return JSON.stringify((node.params as OpParams["param"]).name);
    case "constant": {
      const { data } = node.params as OpParams["constant"];
      const shown = Array.from(data.subarray(0, 6), (v) => String(v)).join(", ");
      return data.length === 1 ? shown : `[${shown}${data.length > 6 ? ", …" : ""}]`;
    }
    default: {
      const args = node.inputs.map(ref).join(", ");
      const entries = Object.entries(node.params as object);
      const extra = entries.length ? ` {${entries.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")}}` : "";
      return `(${args})${extra}`;
    }
  }
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
  const lines = order.map((t) => {
    const params = describeParams(t, ref);
    const sep = t.inputs.length === 0 ? " " : "";
    return `${ref(t)} = ${t.op}${sep}${params} : ${t.dtype}${formatShape(t.shape)}`;
  });
  lines.push(`return ${list.map(ref).join(", ")}`);
  return lines.join("\n");
}
