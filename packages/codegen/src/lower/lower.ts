import type { AnyTensor } from "@gradfold/graph";
import type { KernelGroup } from "@gradfold/optimize";
import type { ElementwiseKernel, Kernel } from "./kernel.ts";
import { fusesElementwise, opClass } from "./op-class.ts";
import { broadcastDims, sameDims, type BoundShapes } from "./shapes.ts";

type Draft = Kernel extends infer K ? (K extends Kernel ? Omit<K, "id"> : never) : never;
type DraftOf<K extends Kernel["kind"]> = Omit<Extract<Kernel, { kind: K }>, "id">;

/**
 * Lowers the optimizer's kernel groups to kernels. A group whose structure a kernel
 * template can take whole (an elementwise chain, a matmul with an elementwise
 * epilogue, a reduction with an elementwise prologue) becomes one kernel; anything
 * else is split into smaller kernels, which is always correct, only slower.
 *
 * `front` are extra elementwise nodes (copies of leaves that leave the step) run first.
 * `consumers` maps every node to the nodes reading it; `roots` must be materialized.
 */
export function lowerGroups(
  groups: readonly KernelGroup[],
  front: readonly AnyTensor[],
  shapes: BoundShapes,
  consumers: ReadonlyMap<AnyTensor, readonly AnyTensor[]>,
  roots: ReadonlySet<AnyTensor>,
): Kernel[] {
  const drafts: Draft[] = front.map((n) => elementwiseDraft([n], shapes.of(n)));
  const seen = new Set<AnyTensor>(front);
  for (const group of groups) {
    const nodes = group.nodes.filter((n) => opClass[n.op] !== "leaf" && !seen.has(n));
    nodes.forEach((n) => { seen.add(n); });
    if (nodes.length === 0) continue;
    const whole = lowerWhole(nodes, shapes, consumers, roots);
    if (whole) drafts.push(whole);
    else drafts.push(...split(nodes, shapes));
  }
  return drafts.map((d, id) => ({ ...d, id }) as Kernel);
}

function elementwiseDraft(nodes: readonly AnyTensor[], shape: readonly number[]): DraftOf<"elementwise"> {
  return { kind: "elementwise", nodes, shape };
}

function lowerWhole(
  nodes: readonly AnyTensor[],
  shapes: BoundShapes,
  consumers: ReadonlyMap<AnyTensor, readonly AnyTensor[]>,
  roots: ReadonlySet<AnyTensor>,
): Draft | null {
  if (nodes.every(fusesElementwise)) {
    const shape = broadcastDims(nodes.map((n) => shapes.of(n)));
    return shape ? elementwiseDraft(nodes, shape) : null;
  }
  const [head, ...rest] = nodes;
  if (opClass[head.op] === "matmul" && rest.every(fusesElementwise)) {
    const out = shapes.of(head);
    if (out.length !== 2 && rest.length > 0) return null;
    if (!rest.every((n) => sameDims(shapes.of(n), out))) return null;
    return { kind: "matmul", nodes, matmul: head, epilogue: rest } satisfies DraftOf<"matmul">;
  }
  const at = nodes.findIndex((n) => opClass[n.op] === "reduction");
  if (at < 0) return null;
  const reduce = nodes[at];
  const prologue = nodes.slice(0, at);
  const epilogue = nodes.slice(at + 1);
  const inner = new Set(nodes);
  const source = shapes.of(reduce.inputs[0]);
  const prologueOk = prologue.every(
    (n) => fusesElementwise(n) && sameDims(shapes.of(n), source) && !roots.has(n) && (consumers.get(n) ?? []).every((c) => inner.has(c) && !epilogue.includes(c)),
  );
  const out = shapes.of(reduce);
  const epilogueOk = epilogue.every((n) => fusesElementwise(n) && sameDims(shapes.of(n), out) && !n.inputs.some((x) => prologue.includes(x)));
  if (!prologueOk || !epilogueOk || (prologue.length > 0 && !prologue.includes(reduce.inputs[0]))) return null;
  return { kind: "reduction", nodes, prologue, reduce, epilogue } satisfies DraftOf<"reduction">;
}

/** One kernel per node, except that runs of same-shape elementwise nodes share a loop. */
function split(nodes: readonly AnyTensor[], shapes: BoundShapes): Draft[] {
  const out: Draft[] = [];
  let run: AnyTensor[] = [];
  const flush = () => {
    if (run.length > 0) out.push(elementwiseDraft(run, shapes.of(run[0])));
    run = [];
  };
  for (const node of nodes) {
    const cls = opClass[node.op];
    if (cls === "elementwise") {
      if (run.length > 0 && !sameDims(shapes.of(run[0]), shapes.of(node))) flush();
      run.push(node);
      continue;
    }
    flush();
    if (cls === "alias" || cls === "leaf") continue;
    if (cls === "matmul") out.push({ kind: "matmul", nodes: [node], matmul: node, epilogue: [] });
    else if (cls === "reduction") out.push({ kind: "reduction", nodes: [node], prologue: [], reduce: node, epilogue: [] });
    else out.push({ kind: "op", nodes: [node], node });
  }
  flush();
  return out;
}

/** Nodes that are read outside the kernel computing them (or leave the step) get a buffer. */
export function materialized(kernels: readonly Kernel[], consumers: ReadonlyMap<AnyTensor, readonly AnyTensor[]>, roots: ReadonlySet<AnyTensor>): Set<AnyTensor> {
  const out = new Set<AnyTensor>();
  for (const k of kernels) {
    const inside = new Set(k.nodes);
    for (const n of k.nodes) {
      if (roots.has(n) || (consumers.get(n) ?? []).some((c) => !inside.has(c))) out.add(n);
    }
  }
  return out;
}

export type { ElementwiseKernel };
