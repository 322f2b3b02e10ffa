import type { AnyTensor } from "@gradfold/graph";

/**
 * The kernel IR: what one generated function computes. Lowered from the optimizer's
 * kernel groups; buffers are assigned afterwards (see plan.ts), code is emitted from it
 * by a backend (js/, wasm/).
 */
export type Kernel = ElementwiseKernel | MatmulKernel | ConvKernel | ReductionKernel | OpKernel;

interface KernelBase {
  readonly id: number;
  /** Every node this kernel computes, in evaluation order. */
  readonly nodes: readonly AnyTensor[];
}

/** One loop nest over `shape` computing a chain of elementwise nodes; operands broadcast into it. */
export interface ElementwiseKernel extends KernelBase {
  readonly kind: "elementwise";
  readonly shape: readonly number[];
}

/** op(A)·op(B) with an elementwise epilogue (bias, activation) applied as each tile is stored. */
export interface MatmulKernel extends KernelBase {
  readonly kind: "matmul";
  readonly matmul: AnyTensor;
  readonly epilogue: readonly AnyTensor[];
}

/**
 * A conv2d (NHWC) with an elementwise epilogue on its output (bias add, activation, a
 * residual add, …): the Wasm backend adds the bias and applies the activation in its
 * matmul and runs the rest as one loop over the product; the JS backend applies the
 * whole epilogue to each finished output row of its direct convolution.
 */
export interface ConvKernel extends KernelBase {
  readonly kind: "conv";
  readonly conv: AnyTensor;
  readonly epilogue: readonly AnyTensor[];
}

/**
 * A reduction (sum, max, logsumexp) whose operand is an elementwise prologue computed
 * on the fly (never stored), followed by an elementwise epilogue on each result.
 */
export interface ReductionKernel extends KernelBase {
  readonly kind: "reduction";
  readonly prologue: readonly AnyTensor[];
  readonly reduce: AnyTensor;
  readonly epilogue: readonly AnyTensor[];
}

/** A single node with its own kernel template (softmax, gather, layout copies, ...). */
export interface OpKernel extends KernelBase {
  readonly kind: "op";
  readonly node: AnyTensor;
}

/** The nodes a kernel reads that it does not compute itself. */
export function externalInputs(kernel: Kernel): AnyTensor[] {
  const inside = new Set(kernel.nodes);
  const out = new Set<AnyTensor>();
  for (const n of kernel.nodes) for (const i of n.inputs) if (!inside.has(i)) out.add(i);
  return [...out];
}
