import type { AnyTensor } from "@gradfold/graph";
import { defOf, hasTrait } from "@gradfold/graph/internal";

export const isLeaf = (t: AnyTensor): boolean => hasTrait(defOf(t), "leaf");
/** A view (reshape) reinterprets its operand's buffer: it is in no kernel group. */
export const isView = (t: AnyTensor): boolean => hasTrait(defOf(t), "view");

/** The node whose buffer holds `t`: `t` itself, or the operand a chain of views reinterprets. */
export function storageRoot(t: AnyTensor): AnyTensor {
  let n = t;
  while (isView(n)) n = n.inputs[0];
  return n;
}
