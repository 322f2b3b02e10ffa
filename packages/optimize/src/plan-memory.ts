import { numel, type AnyTensor, type Sizes } from "@gradfold/graph";
import { bindShape, defOf, hasTrait, sameShape } from "@gradfold/graph/internal";
import type { BufferPlan, KernelGroup, Program } from "./program.ts";

const bytesPerElement = 4;

/** A reusable buffer of the pool: its id and the step after which it is free again. */
interface Slot {
  readonly id: number;
  freeAfter: number;
}

/** The nodes of a group computed in its output loop: all of an elementwise group, a matmul's or reduction's epilogue. */
function outputLoop(group: KernelGroup): readonly AnyTensor[] {
  if (group.kind === "elementwise") return group.nodes;
  if (group.kind === "matmul") return group.nodes.slice(1);
  if (group.kind === "reduction") return group.nodes.slice(group.nodes.findIndex((n) => hasTrait(defOf(n), "reduction")) + 1);
  return [];
}

/**
 * Can `group` write `out` over the buffer of `input`? Only when every read of `input`
 * happens in the group's output loop at the index being written (same shape, no
 * broadcast) and `out` itself is written in that loop (or is the matmul/reduction
 * result stored at that index), given the loop reads index i before writing index i.
 */
function inPlaceSafe(group: KernelGroup, input: AnyTensor, out: AnyTensor): boolean {
  if (!sameShape(input.shape, out.shape)) return false;
  const loop = new Set(outputLoop(group));
  if (loop.size === 0) return false;
  const head = group.kind === "elementwise" ? undefined : group.kind === "matmul" ? group.nodes[0] : group.nodes.find((n) => hasTrait(defOf(n), "reduction"));
  if (!loop.has(out) && out !== head) return false;
  return group.nodes.every((n) => !n.inputs.includes(input) || (loop.has(n) && sameShape(n.shape, input.shape)));
}

/**
 * Buffers for a schedule. Leaves (inputs, params, constants), program outputs and
 * update values each get a buffer of their own that lives for the whole step, except
 * that an update's new value is written straight into its param's buffer when nothing
 * reads the param's old value after that value is computed. Every other group output
 * is an intermediate: live from the group that writes it to the last group that reads
 * it, then its buffer goes back to a pool. A new intermediate takes over a dying input
 * of its own elementwise group when that is safe, else the smallest free pooled buffer
 * that fits (growing the largest free one if none fits), else a new buffer.
 */
export function planMemory(program: Program, groups: readonly KernelGroup[], sizes: Sizes): BufferPlan {
  const bytesOf = (t: AnyTensor) => bytesPerElement * numel(bindShape(t.shape, sizes, t.op));
  const bufferOf = new Map<AnyTensor, number>();
  const bufferBytes: number[] = [];
  const allocate = (t: AnyTensor): number => {
    bufferBytes.push(bytesOf(t));
    bufferOf.set(t, bufferBytes.length - 1);
    return bufferBytes.length - 1;
  };

  const producedAt = new Map<AnyTensor, number>();
  const lastRead = new Map<AnyTensor, number>();
  groups.forEach((g, step) => {
    for (const o of g.outputs) producedAt.set(o, step);
    for (const i of g.inputs) lastRead.set(i, step);
  });
  const outputs = new Set(Object.values(program.outputs));
  const updateValues = new Set(program.updates.map(([, value]) => value));

  // Persistent buffers: every leaf any group or root touches, and every root.
  const roots = [...outputs, ...updateValues];
  for (const g of groups) for (const i of g.inputs) if (hasTrait(defOf(i), "leaf") && !bufferOf.has(i)) allocate(i);
  for (const [target] of program.updates) if (!bufferOf.has(target)) allocate(target);
  for (const r of roots) if (hasTrait(defOf(r), "leaf") && !bufferOf.has(r)) allocate(r);

  const inPlaceUpdate = new Map<AnyTensor, AnyTensor>();
  const claimedTargets = new Set<AnyTensor>();
  for (const [target, value] of program.updates) {
    const step = producedAt.get(value);
    // The old value is still needed after the last group when it is an output itself or
    // copied into another target (an update whose new value is this param, e.g. a swap).
    const readAtEnd = outputs.has(target) || updateValues.has(target);
    if (step === undefined || readAtEnd || outputs.has(value) || claimedTargets.has(target) || inPlaceUpdate.has(value)) continue;
    const readAt = lastRead.get(target) ?? -1;
    if (readAt > step || (readAt === step && !inPlaceSafe(groups[step], target, value))) continue;
    inPlaceUpdate.set(value, target);
    claimedTargets.add(target);
  }

  const pooled = new Set<number>();
  const slots: Slot[] = [];
  /** [buffer, first step, last step] of each pooled value: for the live peak. */
  const uses: Array<[number, number, number]> = [];
  const occupy = (id: number, out: AnyTensor, step: number) => uses.push([id, step, lastRead.get(out) ?? step]);
  groups.forEach((g, step) => {
    const taken = new Set<number>();
    for (const out of g.outputs) {
      const target = inPlaceUpdate.get(out);
      if (target !== undefined) {
        bufferOf.set(out, bufferOf.get(target)!);
        continue;
      }
      if (outputs.has(out) || updateValues.has(out)) {
        allocate(out);
        continue;
      }
      const need = bytesOf(out);
      const dying = g.inputs.find((i) => {
        const b = bufferOf.get(i);
        return b !== undefined && pooled.has(b) && !taken.has(b) && lastRead.get(i) === step && bufferBytes[b] === need && inPlaceSafe(g, i, out);
      });
      if (dying !== undefined) {
        const b = bufferOf.get(dying)!;
        taken.add(b);
        bufferOf.set(out, b);
        slots.find((s) => s.id === b)!.freeAfter = lastRead.get(out) ?? step;
        occupy(b, out, step);
        continue;
      }
      const free = slots.filter((s) => s.freeAfter < step && !taken.has(s.id));
      const fits = free.filter((s) => bufferBytes[s.id] >= need).sort((a, b) => bufferBytes[a.id] - bufferBytes[b.id]);
      const slot = fits[0] ?? free.sort((a, b) => bufferBytes[b.id] - bufferBytes[a.id])[0];
      if (slot) {
        bufferBytes[slot.id] = Math.max(bufferBytes[slot.id], need);
        slot.freeAfter = lastRead.get(out) ?? step;
        taken.add(slot.id);
        bufferOf.set(out, slot.id);
        occupy(slot.id, out, step);
      } else {
        const id = allocate(out);
        pooled.add(id);
        taken.add(id);
        slots.push({ id, freeAfter: lastRead.get(out) ?? step });
        occupy(id, out, step);
      }
    }
  });

  const arenaBytes = bufferBytes.reduce((a, b) => a + b, 0);
  const persistentBytes = bufferBytes.reduce((sum, bytes, id) => (pooled.has(id) ? sum : sum + bytes), 0);
  const inUse = groups.map(() => new Set<number>());
  for (const [id, from, to] of uses) for (let step = from; step <= to; step++) inUse[step].add(id);
  const pooledPeak = Math.max(0, ...inUse.map((ids) => [...ids].reduce((sum, id) => sum + bufferBytes[id], 0)));
  const peakBytes = persistentBytes + pooledPeak;
  const naiveBytes = [...bufferOf.keys()].reduce((a, t) => a + bytesOf(t), 0);
  return { bufferOf, bufferBytes, peakBytes, arenaBytes, naiveBytes, inPlaceUpdates: [...inPlaceUpdate.entries()].map(([value, target]) => [target, value] as const) };
}

/** The plan with no reuse at all: every materialised value in a buffer of its own (phase `plan` off). */
export function naivePlan(program: Program, groups: readonly KernelGroup[], sizes: Sizes): BufferPlan {
  const bufferOf = new Map<AnyTensor, number>();
  const bufferBytes: number[] = [];
  const add = (t: AnyTensor) => {
    if (bufferOf.has(t)) return;
    bufferOf.set(t, bufferBytes.length);
    bufferBytes.push(bytesPerElement * numel(bindShape(t.shape, sizes, t.op)));
  };
  for (const g of groups) {
    g.inputs.forEach(add);
    g.outputs.forEach(add);
  }
  for (const [target, value] of program.updates) [target, value].forEach(add);
  Object.values(program.outputs).forEach(add);
  const total = bufferBytes.reduce((a, b) => a + b, 0);
  return { bufferOf, bufferBytes, peakBytes: total, arenaBytes: total, naiveBytes: total, inPlaceUpdates: [] };
}
