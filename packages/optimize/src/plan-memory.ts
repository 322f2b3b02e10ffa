import { numel, type AnyTensor, type Sizes } from "@gradfold/graph";
import { bindShape, defOf, hasTrait, sameShape } from "@gradfold/graph/internal";
import type { BufferPlan, KernelGroup, Program } from "./program.ts";
import { isLeaf, isView, storageRoot } from "./storage.ts";

const bytesPerElement = 4;

/** Buffers start on 64-byte boundaries: cache lines, and aligned v128 loads for SIMD kernels. */
export const ARENA_ALIGN = 64;
const align = (bytes: number) => Math.ceil(bytes / ARENA_ALIGN) * ARENA_ALIGN;
/**
 * The arena is whole 64 KiB pages: a compiled step's arena is a WebAssembly.Memory,
 * which has no other size, so the bytes explain() reports are the bytes a step holds.
 */
export const ARENA_PAGE = 65536;

/** Rows of B a packed panel spans at most, and bytes per row (16 floats: up to four v128 columns). */
const PANEL_ROWS = 256;
const PANEL_ROW_BYTES = 64;
/**
 * A product with Aᵀ (dW = xᵀ·dz) may also pack a row block of Aᵀ: up to 128 rows in
 * tiles of 2, each tile a panel's k rows of 8 bytes plus one spare cache line.
 */
const PACKED_A_ROWS = 128;
const PACKED_A_TILE_ROWS = 2;

/** A reusable buffer of the pool: its id and the step after which it is free again. */
interface Slot {
  readonly id: number;
  freeAfter: number;
}

/**
 * The nodes of a group computed in its output loop: all of an elementwise group, a
 * matmul's or reduction's epilogue. None of a conv group's: its kernel may write the
 * conv's values into an output's buffer before the epilogue reads its inputs, so no
 * output of it takes over an input's buffer.
 */
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
  // `out` must be written in the output loop (a matmul's or reduction's own result may be
  // stored before its epilogue has read index i).
  if (!loop.has(out)) return false;
  // Reads through a view count too; they are safe only at the very index being written.
  return group.nodes.every((n) => n.inputs.every((i) => storageRoot(i) !== input || (loop.has(n) && sameShape(i.shape, n.shape))));
}

/**
 * Buffers for a schedule. Leaves (inputs, params, constants), program outputs and
 * update values each get a buffer of their own that lives for the whole step, except
 * that an update's new value is written straight into its param's buffer when nothing
 * reads the param's old value after that value is computed. Every other group output
 * is an intermediate: live from the group that writes it to the last group that reads
 * it, then its buffer goes back to a pool. A new intermediate takes over a dying input
 * of its own elementwise group when that is safe, else the smallest free pooled buffer
 * that fits (growing the largest free one if none fits), else a new buffer. Views
 * share their operand's buffer (and keep it alive while they are read). Finally the
 * buffers are laid out in one arena (see BufferPlan).
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
    for (const i of g.inputs) lastRead.set(storageRoot(i), step);
  });
  const outputs = new Set(Object.values(program.outputs).map(storageRoot));
  const updateValues = new Set(program.updates.map(([, value]) => storageRoot(value)));

  // Persistent buffers: every leaf any group or root touches, and every root.
  const roots = [...outputs, ...updateValues];
  for (const g of groups) for (const i of g.inputs) if (isLeaf(storageRoot(i)) && !bufferOf.has(storageRoot(i))) allocate(storageRoot(i));
  for (const [target] of program.updates) if (!bufferOf.has(target)) allocate(target);
  for (const r of roots) if (isLeaf(r) && !bufferOf.has(r)) allocate(r);
  for (const i of program.inputs ?? []) if (!bufferOf.has(i)) allocate(i);

  const inPlaceUpdate = new Map<AnyTensor, AnyTensor>();
  const claimedTargets = new Set<AnyTensor>();
  for (const [target, value] of program.updates) {
    // A view as the new value is never in place: producedAt only knows group outputs.
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
        return !isView(i) && b !== undefined && pooled.has(b) && !taken.has(b) && lastRead.get(i) === step && bufferBytes[b] === need && inPlaceSafe(g, i, out);
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

  addViews(program, groups, bufferOf);
  const persistentBytes = bufferBytes.reduce((sum, bytes, id) => (pooled.has(id) ? sum : sum + bytes), 0);
  const inUse = groups.map(() => new Set<number>());
  for (const [id, from, to] of uses) for (let step = from; step <= to; step++) inUse[step].add(id);
  const pooledPeak = Math.max(0, ...inUse.map((ids) => [...ids].reduce((sum, id) => sum + bufferBytes[id], 0)));
  const peakBytes = persistentBytes + pooledPeak;
  const naiveBytes = [...bufferOf.keys()].filter((t) => !isView(t)).reduce((a, t) => a + bytesOf(t), 0);
  const inPlaceUpdates = [...inPlaceUpdate.entries()].map(([value, target]) => [target, value] as const);
  return { ...layout(bufferOf, bufferBytes, groups, sizes), bufferOf, bufferBytes, peakBytes, naiveBytes, inPlaceUpdates };
}

/** Maps every view a group reads or a root is to its operand's buffer. */
function addViews(program: Program, groups: readonly KernelGroup[], bufferOf: Map<AnyTensor, number>): void {
  const views = [...groups.flatMap((g) => g.inputs), ...Object.values(program.outputs), ...program.updates.map(([, value]) => value)];
  for (const v of views) {
    const b = bufferOf.get(storageRoot(v));
    if (isView(v) && b !== undefined) bufferOf.set(v, b);
  }
}

/**
 * Scratch a group may use while it runs: a matmul with an epilogue may compute its
 * whole product first (SIMD backends do), any matmul may pack panels of B (and a
 * product with Aᵀ a row block of Aᵀ), and a
 * convolution (forward or either gradient) may lay one image's im2col matrix out,
 * [oh·ow, kh·kw·c/groups] (a conv group's epilogue needs no product scratch: its
 * values go to one of the group's outputs, see outputLoop). Groups run one at a time, so the arena reserves, once,
 * the larger of the largest product plus the largest panel and the largest im2col.
 */
export function scratchFor(group: KernelGroup, sizes: Sizes): { product: number; panel: number; cols: number } {
  if (group.kind === "opaque" || group.kind === "conv") return { product: 0, panel: 0, cols: group.nodes.reduce((most, n) => Math.max(most, im2colBytes(n, sizes)), 0) };
  if (group.kind !== "matmul") return { product: 0, panel: 0, cols: 0 };
  const mm = group.nodes[0];
  const a = bindShape(mm.inputs[0].shape, sizes, mm.op);
  const k = (mm.params as { transA: boolean }).transA ? a[a.length - 2] : a[a.length - 1];
  const product = group.nodes.length > 1 ? bytesPerElement * numel(bindShape(mm.shape, sizes, mm.op)) : 0;
  const kRows = Math.min(k, PANEL_ROWS);
  const out = bindShape(mm.shape, sizes, mm.op);
  const aTiles = (mm.params as { transA: boolean }).transA ? Math.ceil(Math.min(out[out.length - 2], PACKED_A_ROWS) / PACKED_A_TILE_ROWS) : 0;
  return { product, panel: kRows * PANEL_ROW_BYTES + aTiles * (kRows * bytesPerElement * PACKED_A_TILE_ROWS + 64), cols: 0 };
}

/**
 * One image's im2col matrix of a conv node, in bytes: output rows oh·ow times
 * kh·kw·(c/groups) columns. NHWC tensors, HWIO filters: conv2d(x, w) and
 * conv2dTranspose(g, w) read the filter's [kh, kw, c/groups] and the output
 * grid off y or g; conv2dFilterGrad(x, g) off its own output and g.
 */
function im2colBytes(node: AnyTensor, sizes: Sizes): number {
  const shape = (t: AnyTensor) => bindShape(t.shape, sizes, node.op);
  const cols = (grid: readonly number[], filter: readonly number[]) => bytesPerElement * grid[1] * grid[2] * filter[0] * filter[1] * filter[2];
  if (node.is("conv2d")) return cols(shape(node), shape(node.inputs[1]));
  if (node.is("conv2dTranspose")) return cols(shape(node.inputs[0]), shape(node.inputs[1]));
  if (node.is("conv2dFilterGrad")) return cols(shape(node.inputs[1]), shape(node));
  return 0;
}

/** Byte offsets: the static image (params, constants, sizes), inputs, work buffers, scratch. */
function layout(bufferOf: ReadonlyMap<AnyTensor, number>, bufferBytes: readonly number[], groups: readonly KernelGroup[], sizes: Sizes) {
  const rank = new Array<number>(bufferBytes.length).fill(2);
  for (const [t, id] of bufferOf) if (isLeaf(t)) rank[id] = t.is("input") ? 1 : 0;
  const order = bufferBytes.map((_, id) => id).sort((a, b) => rank[a] - rank[b] || a - b);
  const offsets = new Array<number>(bufferBytes.length).fill(0);
  let top = 0;
  let staticBytes = 0;
  for (const id of order) {
    offsets[id] = top;
    top += align(bufferBytes[id]);
    if (rank[id] === 0) staticBytes = top;
  }
  const needs = groups.map((g) => scratchFor(g, sizes));
  const matmuls = align(Math.max(0, ...needs.map((n) => n.product))) + align(Math.max(0, ...needs.map((n) => n.panel)));
  const bytes = Math.max(matmuls, align(Math.max(0, ...needs.map((n) => n.cols))));
  const scratch = { offset: top, bytes };
  return { offsets, staticBytes, scratch, arenaBytes: Math.ceil((top + bytes) / ARENA_PAGE) * ARENA_PAGE };
}

/** The plan with no reuse at all: every materialised value in a buffer of its own (phase `plan` off). */
export function naivePlan(program: Program, groups: readonly KernelGroup[], sizes: Sizes): BufferPlan {
  const bufferOf = new Map<AnyTensor, number>();
  const bufferBytes: number[] = [];
  const add = (t: AnyTensor) => {
    const root = storageRoot(t);
    if (bufferOf.has(root)) return;
    bufferOf.set(root, bufferBytes.length);
    bufferBytes.push(bytesPerElement * numel(bindShape(root.shape, sizes, root.op)));
  };
  for (const g of groups) {
    g.inputs.forEach(add);
    g.outputs.forEach(add);
  }
  for (const [target, value] of program.updates) [target, value].forEach(add);
  Object.values(program.outputs).forEach(add);
  (program.inputs ?? []).forEach(add);
  addViews(program, groups, bufferOf);
  const total = bufferBytes.reduce((a, b) => a + b, 0);
  return { ...layout(bufferOf, bufferBytes, groups, sizes), bufferOf, bufferBytes, peakBytes: total, naiveBytes: total, inPlaceUpdates: [] };
}
