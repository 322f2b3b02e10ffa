import type { AnyTensor, Sizes } from "@gradfold/graph";

/**
 * What the optimizer and the code generator work on: named outputs plus in-place
 * updates `[target, newValue]` where each target is a param (trainable or optimizer
 * state). All values are computed from the old state before any update is applied.
 */
export interface Program {
  readonly outputs: Readonly<Record<string, AnyTensor>>;
  readonly updates: ReadonlyArray<readonly [AnyTensor, AnyTensor]>;
}

/**
 * One kernel: graph nodes fused into a single loop nest (or a matmul with its
 * epilogue). `nodes` are in evaluation order; `inputs` are read from buffers
 * computed elsewhere (or leaves); `outputs` are the nodes whose values leave the
 * group (read by a later group, a program output, or an update).
 */
export interface KernelGroup {
  readonly id: number;
  readonly kind: "elementwise" | "reduction" | "matmul" | "layout" | "opaque";
  readonly nodes: readonly AnyTensor[];
  readonly inputs: readonly AnyTensor[];
  readonly outputs: readonly AnyTensor[];
}

/** Where each materialised value lives: a buffer id, with the buffer's size in bytes. */
export interface BufferPlan {
  readonly bufferOf: ReadonlyMap<AnyTensor, number>;
  readonly bufferBytes: readonly number[];
  /** Bytes live at the worst point of the schedule, after reuse. */
  readonly peakBytes: number;
  /** The same without reuse: every value in its own buffer. */
  readonly naiveBytes: number;
}

/** Ordered kernel groups for a program at concrete sizes, with its buffer plan. */
export interface Schedule {
  readonly program: Program;
  readonly sizes: Sizes;
  readonly groups: readonly KernelGroup[];
  readonly buffers: BufferPlan;
}
