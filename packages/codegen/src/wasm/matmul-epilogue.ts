import type { AnyTensor } from "@gradfold/graph";
import type { BoundShapes } from "../lower/shapes.ts";
import type { Activation } from "./activation.ts";

/**
 * The head of a matmul's epilogue that the matmul kernel itself computes as it
 * stores each tile: `+ bias` (a row of n floats) and then relu, sigmoid or tanh —
 * the forward layer `act(x·W + b)`. The product and every node of the head but its
 * last are then never written anywhere, so they must be read by nothing but the
 * next node of the head (not stored, not read by the rest of the epilogue).
 */
export interface FusedEpilogue {
  readonly bias: AnyTensor | null;
  readonly activation: Activation;
  /** The node whose values the kernel writes into C (the product when nothing fuses). */
  readonly head: AnyTensor;
  /** The epilogue nodes after the head, still run as a loop over C. */
  readonly rest: readonly AnyTensor[];
}

const activations: Partial<Record<string, Activation>> = { relu: "relu", sigmoid: "sigmoid", tanh: "tanh" };

export function fuseMatmulEpilogue(product: AnyTensor, epilogue: readonly AnyTensor[], n: number, shapes: BoundShapes, stored: ReadonlySet<AnyTensor>): FusedEpilogue {
  let head = product;
  let bias: AnyTensor | null = null;
  let activation: Activation = "none";
  let used = 0;
  /** Only `next` reads `head` (the rest of the epilogue does not), and head is not stored. */
  const onlyFeeds = (next: AnyTensor) => !stored.has(head) && epilogue.slice(used + 1).every((x) => !x.inputs.includes(head)) && next.inputs.filter((x) => x === head).length === 1;
  const first = epilogue[0];
  if (first?.op === "add" && first.dtype === "float32") {
    const other = first.inputs[0] === product ? first.inputs[1] : first.inputs[1] === product ? first.inputs[0] : null;
    const s = other ? shapes.of(other) : [];
    // More than one row, so the bias is never planned in place of C (the kernel reads it while writing C).
    const isRow = other !== null && other.dtype === "float32" && shapes.count(other) === n && s[s.length - 1] === n && shapes.count(product) > n;
    if (isRow && onlyFeeds(first)) {
      bias = other;
      head = first;
      used = 1;
    }
  }
  const next = epilogue[used];
  const act = next ? activations[next.op] : undefined;
  if (next && act && next.dtype === "float32" && next.inputs[0] === head && onlyFeeds(next)) {
    activation = act;
    head = next;
    used += 1;
  }
  return { bias, activation, head, rest: epilogue.slice(used) };
}
