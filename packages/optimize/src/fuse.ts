import type { AnyTensor, Shape } from "@gradfold/graph";
import { defOf, hasTrait, sameShape, topoSort } from "@gradfold/graph/internal";
import type { KernelGroup } from "./program.ts";
import { groupKind } from "./schedule.ts";
import { isView, storageRoot } from "./storage.ts";

/** A group while fusion is deciding: `shape` is the shape a new node must have to join. */
interface Draft {
  readonly id: number;
  kind: KernelGroup["kind"];
  readonly nodes: AnyTensor[];
  shape: Shape;
  /** The reduction node of a reduction group: nodes before it are prologue, after it epilogue. */
  reduction?: AnyTensor;
  /** Set when merged into another group: the draft is then empty and dropped. */
  mergedInto?: Draft;
}

const isLeaf = (t: AnyTensor) => hasTrait(defOf(t), "leaf");

/** Elementwise ops, plus broadcastTo, which a fused loop does as a broadcasting read. */
export function fusesElementwise(t: AnyTensor): boolean {
  return hasTrait(defOf(t), "elementwise") || t.op === "broadcastTo";
}

const isReduction = (t: AnyTensor) => hasTrait(defOf(t), "reduction");

/**
 * Greedy fusion over the nodes in evaluation order:
 * - an elementwise node joins the group of one of its operands when it has that
 *   group's shape: an elementwise chain, a reduction's epilogue (reading the
 *   reduction or a later epilogue node), a matmul's epilogue (bias add, activation) or
 *   a conv2d's (bias add, activation, residual add, on its NHWC output);
 * - a reduction takes over the elementwise group computing its input as prologue when
 *   no node of that group is needed anywhere else;
 * - everything else (matmul, conv2d, layout, softmax, gather, ...) starts its own group;
 * - views (reshape) join no group: they are read from their operand's buffer.
 * A join is refused when it would make two groups depend on each other.
 * Returns the groups in a topological order.
 */
export function fuse(roots: readonly AnyTensor[]): KernelGroup[] {
  const order = topoSort(roots);
  const position = new Map(order.map((t, i) => [t, i]));
  const rootSet = new Set(roots);
  const consumers = new Map<AnyTensor, AnyTensor[]>();
  for (const node of order) {
    for (const input of new Set(node.inputs)) {
      const list = consumers.get(input);
      if (list) list.push(node);
      else consumers.set(input, [node]);
    }
  }

  const drafts: Draft[] = [];
  const groupOf = new Map<AnyTensor, Draft>();
  /** Groups whose values each group reads, kept up to date as nodes join and groups merge. */
  const reads = new Map<Draft, Set<Draft>>();
  /** The group whose buffer an operand is read from (through views). */
  const producer = (i: AnyTensor) => groupOf.get(storageRoot(i));
  const noteReads = (draft: Draft, node: AnyTensor): void => {
    const set = reads.get(draft)!;
    for (const i of node.inputs) {
      const g = producer(i);
      if (g && g !== draft) set.add(g);
    }
  };
  const start = (node: AnyTensor, kind: KernelGroup["kind"]): void => {
    const d: Draft = { id: drafts.length, kind, nodes: [node], shape: node.shape };
    if (kind === "reduction") d.reduction = node;
    drafts.push(d);
    reads.set(d, new Set());
    noteReads(d, node);
    groupOf.set(node, d);
  };
  const add = (draft: Draft, node: AnyTensor): void => {
    draft.nodes.push(node);
    noteReads(draft, node);
    groupOf.set(node, draft);
  };
  const producers = (draft: Draft): ReadonlySet<Draft> => reads.get(draft)!;
  /** Whether `from` reads, directly or through other groups, a value of `target`. */
  const dependsOn = (from: Draft, target: Draft): boolean => {
    const seen = new Set<Draft>();
    const stack = [from];
    while (stack.length) {
      const g = stack.pop()!;
      for (const p of producers(g)) {
        if (p === target) return true;
        if (!seen.has(p)) {
          seen.add(p);
          stack.push(p);
        }
      }
    }
    return false;
  };
  const wouldCycle = (draft: Draft, node: AnyTensor): boolean =>
    node.inputs.some((i) => {
      const g = producer(i);
      return g !== undefined && g !== draft && dependsOn(g, draft);
    });
  const canJoin = (draft: Draft, node: AnyTensor): boolean => {
    if (!sameShape(draft.shape, node.shape)) return false;
    // A view of the group's own value is read whole, after the group has run.
    if (node.inputs.some((i) => isView(i) && producer(i) === draft)) return false;
    if (draft.kind === "reduction") {
      const r = draft.nodes.indexOf(draft.reduction!);
      const inGroup = node.inputs.filter((i) => groupOf.get(i) === draft);
      if (inGroup.some((i) => draft.nodes.indexOf(i) < r)) return false;
    } else if (draft.kind === "matmul") {
      // Epilogues only on matrix products: kernels apply them per (row, column).
      if (draft.nodes[0].shape.length !== 2) return false;
    } else if (draft.kind !== "elementwise" && draft.kind !== "conv") return false;
    return !wouldCycle(draft, node);
  };
  /**
   * When `node` joins `target`, other elementwise groups of its shape that it reads
   * join too (a·b where a and b were computed by separate loops), provided no path
   * through other groups connects them with `target` or feeds `node` from them.
   */
  const mergeSiblings = (target: Draft, node: AnyTensor): void => {
    const operandGroups = [...new Set(node.inputs.map((i) => groupOf.get(i)))].filter((g): g is Draft => g !== undefined);
    for (const g of operandGroups) {
      if (g === target || g.mergedInto || g.kind !== "elementwise" || !sameShape(g.shape, node.shape)) continue;
      // A value `node` reads through a view is read whole, after its group has run.
      if (node.inputs.some((i) => isView(i) && producer(i) === g)) continue;
      if (dependsOn(g, target) || dependsOn(target, g)) continue;
      if (operandGroups.some((h) => h !== g && h !== target && !h.mergedInto && dependsOn(h, g))) continue;
      for (const n of g.nodes) {
        target.nodes.push(n);
        groupOf.set(n, target);
      }
      const merged = reads.get(target)!;
      for (const r of reads.get(g)!) if (r !== target) merged.add(r);
      reads.delete(g);
      merged.delete(g);
      for (const set of reads.values()) if (set.delete(g) && set !== merged) set.add(target);
      g.nodes.length = 0;
      g.mergedInto = target;
    }
  };
  const onlyFeeds = (draft: Draft, reduction: AnyTensor): boolean =>
    draft.nodes.every((n) => !rootSet.has(n) && (consumers.get(n) ?? []).every((c) => c === reduction || groupOf.get(c) === draft));

  /**
   * Comparisons read only as the condition of `where`s of their own shape (relu's
   * mask, `out > 0`) are placed with their first reader, not with the group computing
   * their operand: the mask is then recomputed from a value that is stored anyway
   * instead of being stored itself, and the operand's group (the forward layer) keeps
   * a single output, which its matmul kernel can write directly.
   */
  const sinks = (node: AnyTensor): boolean =>
    hasTrait(defOf(node), "comparison") &&
    !rootSet.has(node) &&
    (consumers.get(node) ?? []).every((c) => c.op === "where" && c.inputs[0] === node && !c.inputs.slice(1).includes(node) && sameShape(c.shape, node.shape));
  const deferred = new Set<AnyTensor>();
  const placeElementwise = (node: AnyTensor): void => {
    const pending = node.inputs.filter((i) => deferred.has(i) && !groupOf.has(i));
    // Prefer joining a matmul, conv or reduction epilogue: elementwise siblings then merge into it too.
    const candidates = [...new Set(node.inputs.map((i) => groupOf.get(i)))].filter((g): g is Draft => g !== undefined);
    candidates.sort((a, b) => +(a.kind === "elementwise") - +(b.kind === "elementwise"));
    const target = candidates.find((g) => canJoin(g, node) && pending.every((p) => canJoin(g, p)));
    if (target) {
      for (const p of pending) add(target, p);
      mergeSiblings(target, node);
      add(target, node);
      return;
    }
    if (pending.length > 0) {
      // The reader's groups cannot take the mask (its other operand comes from a pooling
      // gradient, say): the mask and its reader start a loop of their own, which reads
      // the compared value (stored anyway) instead of a stored mask.
      start(pending[0], "elementwise");
      const own = groupOf.get(pending[0])!;
      for (const p of pending.slice(1)) add(own, p);
      add(own, node);
    } else start(node, "elementwise");
  };

  for (const node of order) {
    if (isLeaf(node) || isView(node)) continue;
    if (fusesElementwise(node)) {
      if (sinks(node)) deferred.add(node);
      else placeElementwise(node);
    } else if (isReduction(node)) {
      const prologue = groupOf.get(node.inputs[0]);
      if (prologue && prologue.kind === "elementwise" && onlyFeeds(prologue, node)) {
        prologue.kind = "reduction";
        prologue.reduction = node;
        prologue.shape = node.shape;
        add(prologue, node);
      } else start(node, "reduction");
    } else start(node, groupKind(node));
  }
  return finish(
    drafts.filter((d) => d.mergedInto === undefined),
    groupOf,
    consumers,
    rootSet,
    position,
  );
}

/** Inputs, outputs and a topological order of the groups (ties by first node). */
function finish(
  drafts: readonly Draft[],
  groupOf: ReadonlyMap<AnyTensor, Draft>,
  consumers: ReadonlyMap<AnyTensor, readonly AnyTensor[]>,
  rootSet: ReadonlySet<AnyTensor>,
  position: ReadonlyMap<AnyTensor, number>,
): KernelGroup[] {
  const incoming = new Map<Draft, Set<Draft>>();
  for (const d of drafts) {
    const from = new Set<Draft>();
    for (const n of d.nodes)
      for (const i of n.inputs) {
        const g = groupOf.get(storageRoot(i));
        if (g && g !== d) from.add(g);
      }
    incoming.set(d, from);
  }
  const first = (d: Draft) => position.get(d.nodes[0])!;
  const readers = new Map<Draft, Draft[]>(drafts.map((d) => [d, []]));
  const waiting = new Map<Draft, number>();
  for (const d of drafts) {
    waiting.set(d, incoming.get(d)!.size);
    for (const p of incoming.get(d)!) readers.get(p)!.push(d);
  }
  // Kahn's algorithm; among ready groups the one whose first node comes first, so the
  // order stays close to the graph's own evaluation order.
  const ready = drafts.filter((d) => waiting.get(d) === 0);
  const sorted: Draft[] = [];
  while (ready.length) {
    let best = 0;
    for (let i = 1; i < ready.length; i++) if (first(ready[i]) < first(ready[best])) best = i;
    const d = ready.splice(best, 1)[0];
    sorted.push(d);
    for (const r of readers.get(d)!) {
      const left = waiting.get(r)! - 1;
      waiting.set(r, left);
      if (left === 0) ready.push(r);
    }
  }
  if (sorted.length !== drafts.length) throw new Error("fuse: internal error, kernel groups depend on each other in a cycle");
  return sorted.map((d, id) => {
    const members = new Set(d.nodes);
    const inputs: AnyTensor[] = [];
    for (const n of d.nodes) for (const i of n.inputs) if (!members.has(i) && !inputs.includes(i)) inputs.push(i);
    const outputs = d.nodes.filter((n) => rootSet.has(n) || (consumers.get(n) ?? []).some((c) => !members.has(c)));
    return { id, kind: d.kind, nodes: d.nodes, inputs, outputs };
  });
}
