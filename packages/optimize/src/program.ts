import type { AnyTensor, Sizes } from "@gradfold/graph";

/**
 * What the optimizer and the code generator work on: named outputs plus in-place
 * updates `[target, newValue]` where each target is a param (trainable or optimizer
 * state). All values are computed from the old state before any update is applied.
 */
export interface Program {
  readonly outputs: Readonly<Record<string, AnyTensor>>;
  readonly updates: ReadonlyArray<readonly [AnyTensor, AnyTensor]>;
  /** Inputs a step is fed even where nothing reads them: they get a buffer too. */
  readonly inputs?: readonly AnyTensor[];
}

/**
 * One kernel: graph nodes fused into a single loop nest (or a matmul with its
 * epilogue). `nodes` are in evaluation order; `inputs` are read from buffers
 * computed elsewhere (or leaves); `outputs` are the nodes whose values leave the
 * group (read by a later group, a program output, or an update).
 *
 * Leaves (input, param, constant, size) are never in a group; they are group inputs.
 * "Operand" below means an entry of some node's `inputs`: it is either a node of the
 * same group (its value is a local of the loop) or one of the group's `inputs`
 * (read from its buffer).
 *
 * Node layout per `kind`, which the code generator may rely on:
 *
 * - `"elementwise"`: every node is an elementwise op (trait "elementwise": arithmetic,
 *   comparisons, where, cast, stopGradient, …) or a `broadcastTo`, and every node
 *   has the SAME shape — the group's loop shape (`nodes[0].shape`). An operand that
 *   is a group node therefore has the loop shape; an operand that is a group input
 *   may be smaller and is read with numpy broadcasting (right-aligned; missing or
 *   size-1 dims have stride 0). `broadcastTo` is such a broadcasting read (identity
 *   on the value). One loop over the loop shape computes every node at index i.
 *
 * - `"reduction"`: `[...prologue, reduction, ...epilogue]`. Exactly one node has the
 *   "reduction" trait (sum, max, logsumexp). Prologue nodes are elementwise (or
 *   broadcastTo) with the reduction INPUT's shape, used only inside the group (never
 *   outputs), so they can be computed on the fly as the reduction reads its input.
 *   Epilogue nodes are elementwise (or broadcastTo) with the reduction OUTPUT's
 *   shape; their group-node operands are the reduction or earlier epilogue nodes;
 *   other operands are group inputs read with broadcasting to the output shape.
 *   With an empty prologue, nodes[0] is the reduction.
 *
 * - `"matmul"`: `nodes[0]` is the matmul (params transA/transB); the rest are an
 *   elementwise epilogue (bias add, relu/tanh/sigmoid, a relu′ mask `where`, …), only
 *   when the product is a matrix (rank 2), whose nodes all have the matmul's output shape; group inputs they read are
 *   broadcast to it. The matmul's own operands are always group inputs.
 *
 * - `"conv"`: `nodes[0]` is a conv2d (NHWC); the rest are an elementwise epilogue
 *   (bias add, activation, a residual add, …) whose nodes all have the conv's output
 *   shape; group inputs they read are broadcast to it. The conv's operands are always
 *   group inputs. No output of a conv group shares a buffer with one of its inputs
 *   (a backend may write the conv's values into an output's buffer and run the rest of
 *   the epilogue over them there).
 *
 * - `"layout"` (transpose, concat, slice, pad) and `"opaque"` (softmax,
 *   logSoftmax, softmaxCrossEntropy, gather, scatterAdd, oneHot, the conv gradients,
 *   pooling): a single node.
 *   (With fusion on, broadcastTo always sits in an elementwise, reduction or matmul
 *   group; the unfused schedule — `phases: { fuse: false }` — gives every node its
 *   own group, a lone broadcastTo being "layout" there.) A view (reshape) is in no
 *   group: like a leaf it is only ever a group input, read from its operand's buffer.
 *
 * The "output loop" of a group is the whole of an elementwise group, and the
 * epilogue of a matmul or reduction group (run on each finished element). Within
 * the output loop, all reads of index i happen before any write of index i, and a
 * matmul accumulates in locals, not in its output buffer: the memory plan relies
 * on both when an output shares its buffer with an input (see BufferPlan).
 */
export interface KernelGroup {
  readonly id: number;
  readonly kind: "elementwise" | "reduction" | "matmul" | "conv" | "layout" | "opaque";
  readonly nodes: readonly AnyTensor[];
  readonly inputs: readonly AnyTensor[];
  readonly outputs: readonly AnyTensor[];
}

/**
 * Where each materialised value lives: a buffer id, with the buffer's size in bytes
 * (4 bytes per element for every dtype) and its byte offset in the arena. Materialised
 * values are the leaves the groups read, every group output and every program root;
 * nodes fused inside a group and not among its outputs have no buffer. A view (trait
 * "view": reshape) has no buffer of its own: it maps to its operand's buffer.
 *
 * Two values may share a buffer when their lifetimes do not overlap, or when a
 * group writes an output over an input that dies in that group and is read only
 * in the group's output loop (in place; always the same shape, read at the same
 * index — e.g. the SGD epilogue W + (−lr)·g of a matmul writing over W). Leaves, program
 * outputs and update values never share with anything, with one exception:
 * `inPlaceUpdates` lists updates whose new value is written straight into the
 * target param's buffer (`bufferOf(value) === bufferOf(target)`) because nothing
 * reads the old value afterwards. Every other update value has its own buffer and
 * must be copied into its target after the last group has run.
 *
 * The arena layout: buffers start on `ARENA_ALIGN`-byte boundaries; params, constants
 * and sizes come first (the initial image, `staticBytes` long), then inputs, then work
 * buffers, then `scratch`. This is the whole memory of a compiled step: code
 * generators render these offsets and allocate nothing else.
 */
export interface BufferPlan {
  readonly bufferOf: ReadonlyMap<AnyTensor, number>;
  readonly bufferBytes: readonly number[];
  /** Byte offset of each buffer in the arena (a multiple of ARENA_ALIGN). */
  readonly offsets: readonly number[];
  /** Bytes at the start of the arena holding params, constants and sizes. */
  readonly staticBytes: number;
  /**
   * Temporary bytes any kernel may use during its own run and no longer: a matmul's
   * product before its epilogue is applied, packed panels of B, a convolution's im2col
   * matrix of one image. Sized for the largest of those; see `scratchFor`.
   */
  readonly scratch: { readonly offset: number; readonly bytes: number };
  /**
   * Bytes live at the worst point of the schedule, after reuse: every persistent
   * buffer plus the pooled buffers in use at the busiest group.
   */
  readonly peakBytes: number;
  /** Bytes of the whole arena: every buffer with its alignment, and the scratch, in whole 64 KiB pages (≥ peakBytes). */
  readonly arenaBytes: number;
  /** The same without reuse: every materialised value in its own buffer. */
  readonly naiveBytes: number;
  /** Updates `[target, value]` whose value the schedule writes directly into the target's buffer. */
  readonly inPlaceUpdates: ReadonlyArray<readonly [AnyTensor, AnyTensor]>;
}

/**
 * What runs, decided once: ordered kernel groups for a program at concrete sizes and
 * the arena they run in. A code generator renders it and decides nothing else.
 */
export interface ExecutionPlan {
  readonly program: Program;
  readonly sizes: Sizes;
  readonly groups: readonly KernelGroup[];
  readonly buffers: BufferPlan;
}
