import type { AnyTensor, DType } from "@gradfold/graph";
import { ARENA_ALIGN, type ExecutionPlan } from "@gradfold/optimize";
import type { BoundShapes } from "../lower/shapes.ts";

/** Buffers start on 64-byte boundaries (the plan's alignment): cache lines, aligned v128 loads. */
export const ALIGN = ARENA_ALIGN;

export type ArrayKind = "f32" | "i32";
export const arrayKindOf = (dtype: DType): ArrayKind => (dtype === "float32" ? "f32" : "i32");

/** One typed-array view of the arena. */
export interface Slot {
  readonly byteOffset: number;
  readonly length: number;
  readonly kind: ArrayKind;
}

/** The plan's arena as the views a step creates: nothing here is decided, only read off the plan. */
export interface ArenaPlan {
  /** Storage of every leaf, group output and view (views share their operand's buffer). */
  readonly slotOf: ReadonlyMap<AnyTensor, Slot>;
  /** Bytes at the start of the arena holding params, constants and sizes: the initial image. */
  readonly staticBytes: number;
  /** Bytes of the whole arena, scratch included: what explain() reports. */
  readonly totalBytes: number;
  /** Temporary bytes any kernel may use during its run (matmul products, packed panels). */
  readonly scratch: { readonly offset: number; readonly bytes: number };
  /** Update values computed straight into the target's storage. */
  readonly inPlace: ReadonlySet<AnyTensor>;
  /** Updates copied into their target after every kernel ran. */
  readonly copies: ReadonlyArray<readonly [target: AnyTensor, value: AnyTensor]>;
  /** Sum of buffer bytes without reuse, for reporting. */
  readonly naiveWorkBytes: number;
}

/** Reads the arena off an execution plan: one slot per planned buffer use, checked against the buffer's size. */
export function arenaOf(plan: ExecutionPlan, shapes: BoundShapes): ArenaPlan {
  const { buffers } = plan;
  const slotOf = new Map<AnyTensor, Slot>();
  for (const [node, id] of buffers.bufferOf) {
    const length = shapes.count(node);
    if (4 * length > buffers.bufferBytes[id]) throw new Error(`codegen: the plan gives ${node} (${length} elements) a ${buffers.bufferBytes[id]}-byte buffer`);
    slotOf.set(node, { byteOffset: buffers.offsets[id], length, kind: arrayKindOf(node.dtype) });
  }
  const inPlace = new Set(buffers.inPlaceUpdates.map(([, value]) => value));
  const copies = plan.program.updates.filter(([, value]) => !inPlace.has(value));
  return { slotOf, staticBytes: buffers.staticBytes, totalBytes: buffers.arenaBytes, scratch: buffers.scratch, inPlace, copies, naiveWorkBytes: buffers.naiveBytes };
}
