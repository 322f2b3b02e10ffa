import { sameShape, type Shape } from "../shape.ts";
import type { AnyTensor } from "../tensor.ts";
import { reshape } from "./layout.ts";
import { sum } from "./reduce.ts";

/**
 * Sums a cotangent of a broadcast result back to the operand's `shape`: over the
 * leading axes broadcasting added and over axes where the operand had size 1.
 */
export function unbroadcast(grad: AnyTensor, shape: Shape): AnyTensor {
  if (sameShape(grad.shape, shape)) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? sum(grad, axes, false) : grad;
  return sameShape(summed.shape, shape) ? summed : reshape(summed, shape);
}
