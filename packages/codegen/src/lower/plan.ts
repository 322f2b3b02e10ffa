import type { AnyTensor, DType } from "@gradfold/graph";
import { externalInputs, type Kernel } from "./kernel.ts";
import { opClass } from "./op-class.ts";
import { sameDims, type BoundShapes } from "./shapes.ts";

/** Buffers start on 64-byte boundaries: cache lines, and aligned v128 loads for Wasm kernels. */
export const ALIGN = 64;

export type ArrayKind = "f32" | "i32";
export const arrayKindOf = (dtype: DType): ArrayKind => (dtype === "float32" ? "f32" : "i32");

export interface Slot {
  readonly byteOffset: number;
  readonly length: number;
  readonly kind: ArrayKind;
}

/** Where every value of one compiled step lives in the arena. */
export interface ArenaPlan {
  /** Storage of every leaf, materialized node and alias (aliases share their operand's slot). */
  readonly slotOf: ReadonlyMap<AnyTensor, Slot>;
  /** Bytes at the start of the arena holding params, constants and sizes: the initial image. */
  readonly staticBytes: number;
  readonly totalBytes: number;
  /** Updates whose value is computed straight into the target's storage. */
  readonly inPlace: ReadonlySet<AnyTensor>;
  /** Updates copied into their target after every kernel ran. */
  readonly copies: ReadonlyArray<readonly [target: AnyTensor, value: AnyTensor]>;
  /** Sum of work-buffer bytes without reuse, for reporting. */
  readonly naiveWorkBytes: number;
}

export function storageRoot(node: AnyTensor): AnyTensor {
  let n = node;
  while (opClass[n.op] === "alias") n = n.inputs[0];
  return n;
}

const align = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;

/**
 * Plans the arena: leaves first (the static image, then fed inputs), then work
 * buffers reused by liveness over the kernel order (a freed buffer is taken by the
 * smallest later value that fits). Outputs and copied update values stay live to the
 * end. An update is done in place when its value comes out of an elementwise kernel
 * (or matmul epilogue) over exactly the target's shape that reads the old value only
 * at the element it writes, and no later kernel reads the old value.
 */
export function planArena(
  kernels: readonly Kernel[],
  leaves: readonly AnyTensor[],
  materialized: ReadonlySet<AnyTensor>,
  outputs: readonly AnyTensor[],
  updates: ReadonlyArray<readonly [AnyTensor, AnyTensor]>,
  shapes: BoundShapes,
): ArenaPlan {
  const slotOf = new Map<AnyTensor, Slot>();
  let top = 0;
  const place = (node: AnyTensor, byteOffset: number) => {
    slotOf.set(node, { byteOffset, length: shapes.count(node), kind: arrayKindOf(node.dtype) });
  };
  // The static image: params and constants (written at creation), then inputs.
  const ordered = [...leaves.filter((l) => l.op !== "input"), ...leaves.filter((l) => l.op === "input")];
  let staticBytes = 0;
  for (const leaf of ordered) {
    place(leaf, top);
    top += align(4 * shapes.count(leaf));
    if (leaf.op !== "input") staticBytes = top;
  }

  const kernelOf = new Map<AnyTensor, number>();
  kernels.forEach((k, i) => { k.nodes.forEach((n) => { kernelOf.set(n, i); }); });
  const readersOf = new Map<AnyTensor, number[]>();
  kernels.forEach((k, i) => {
    for (const x of externalInputs(k)) {
      const root = storageRoot(x);
      const list = readersOf.get(root) ?? [];
      list.push(i);
      readersOf.set(root, list);
    }
  });

  const inPlace = new Set<AnyTensor>();
  const copies: Array<readonly [AnyTensor, AnyTensor]> = [];
  const valueCount = new Map<AnyTensor, number>();
  for (const [, v] of updates) valueCount.set(v, (valueCount.get(v) ?? 0) + 1);
  for (const [target, value] of updates) {
    if (canUpdateInPlace(target, value, kernels, kernelOf, readersOf, shapes) && valueCount.get(value) === 1) {
      inPlace.add(value);
      slotOf.set(value, slotOf.get(target)!);
    } else copies.push([target, value]);
  }

  const pinned = new Set<AnyTensor>([...outputs.map(storageRoot), ...copies.map(([, v]) => storageRoot(v))]);
  const lastUse = new Map<AnyTensor, number>();
  for (const [root, readers] of readersOf) lastUse.set(root, Math.max(...readers));

  const free: Array<{ offset: number; bytes: number }> = [];
  let naiveWorkBytes = 0;
  kernels.forEach((k, i) => {
    for (const n of k.nodes) {
      if (!materialized.has(n) || slotOf.has(n)) continue;
      const bytes = align(4 * shapes.count(n));
      naiveWorkBytes += bytes;
      let best = -1;
      for (let f = 0; f < free.length; f++) {
        if (free[f].bytes >= bytes && (best < 0 || free[f].bytes < free[best].bytes)) best = f;
      }
      if (best >= 0) {
        const block = free[best];
        place(n, block.offset);
        if (block.bytes - bytes >= ALIGN) free[best] = { offset: block.offset + bytes, bytes: block.bytes - bytes };
        else free.splice(best, 1);
      } else {
        place(n, top);
        top += bytes;
      }
    }
    for (const n of k.nodes) {
      if (!materialized.has(n) || pinned.has(n) || inPlace.has(n)) continue;
      if ((lastUse.get(n) ?? -1) <= i) {
        const slot = slotOf.get(n)!;
        free.push({ offset: slot.byteOffset, bytes: align(4 * slot.length) });
      }
    }
    // Values whose last reader is this kernel are free for the next one.
    for (const x of externalInputs(k)) {
      const root = storageRoot(x);
      if (lastUse.get(root) === i && kernelOf.has(root) && !pinned.has(root) && !inPlace.has(root) && slotOf.has(root)) {
        const slot = slotOf.get(root)!;
        free.push({ offset: slot.byteOffset, bytes: align(4 * slot.length) });
        lastUse.delete(root);
      }
    }
  });
  // Aliases share their root's slot (with their own length, which is the same).
  const alias = (n: AnyTensor) => {
    if (opClass[n.op] === "alias" && !slotOf.has(n)) {
      const root = slotOf.get(storageRoot(n));
      if (root) slotOf.set(n, { ...root, kind: arrayKindOf(n.dtype) });
    }
  };
  for (const k of kernels) externalInputs(k).forEach(alias);
  for (const n of [...outputs, ...updates.map(([, v]) => v)]) alias(n);
  return { slotOf, staticBytes, totalBytes: Math.max(top, ALIGN), inPlace, copies, naiveWorkBytes };
}

function canUpdateInPlace(
  target: AnyTensor,
  value: AnyTensor,
  kernels: readonly Kernel[],
  kernelOf: ReadonlyMap<AnyTensor, number>,
  readersOf: ReadonlyMap<AnyTensor, number[]>,
  shapes: BoundShapes,
): boolean {
  const k = kernelOf.get(value);
  if (k === undefined) return false;
  const kernel = kernels[k];
  const targetShape = shapes.of(target);
  if (!sameDims(shapes.of(value), targetShape)) return false;
  if (kernel.kind === "elementwise") {
    if (!sameDims(kernel.shape, targetShape)) return false;
  } else if (kernel.kind === "matmul") {
    // The epilogue reads and writes element (i, j) in one call; the matmul's own operands are read all along.
    if (!kernel.epilogue.includes(value) || kernel.matmul.inputs.some((x) => storageRoot(x) === target)) return false;
  } else if (kernel.kind === "reduction") {
    // Likewise each output element: the epilogue reads and writes element o once the fold is done.
    const reads = [kernel.reduce, ...kernel.prologue].flatMap((n) => n.inputs).filter((x) => !kernel.nodes.includes(x));
    if (!kernel.epilogue.includes(value) || reads.some((x) => storageRoot(x) === target)) return false;
  } else return false;
  if ((readersOf.get(target) ?? []).some((r) => r > k)) return false;
  // Inside the kernel the old value may only be read at the element being written.
  return externalInputs(kernel).every((x) => storageRoot(x) !== target || sameDims(shapes.of(x), targetShape));
}
