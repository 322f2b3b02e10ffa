import { constant, evaluate, numel, scalar, type AnyTensor } from "@gradfold/graph";
import { bindShape, isConcrete } from "@gradfold/graph/internal";
import { when } from "../pattern.ts";
import { rule, type Rule } from "../rule.ts";
import { isLeaf } from "./helpers.ts";

/** Folding never grows data: broadcastTo(0, [784, 256]) stays a cheap broadcast instead of 200k stored zeros. */
const maxFoldedElements = 64;

function foldable(node: AnyTensor): boolean {
  if (isLeaf(node) || node.inputs.length === 0) return false;
  if (!node.inputs.every((t) => t.is("constant"))) return false;
  if (!isConcrete(node.shape)) return false;
  const largestInput = Math.max(...node.inputs.map((t) => numel(t.shape as number[])));
  return numel(node.shape as number[]) <= Math.max(maxFoldedElements, largestInput);
}

/** A node computed by the reference interpreter, as a constant of its own shape and dtype. */
export function foldToConstant(node: AnyTensor): AnyTensor {
  const data = evaluate(node);
  const shape = bindShape(node.shape, {}, node.op);
  return shape.length === 0 ? scalar(data[0], node.dtype) : (constant(data, shape, node.dtype) as AnyTensor);
}

/** Constant folding through the graph's own float64 reference evaluation. */
export const fold: Rule[] = [rule("op(constants) -> constant", when("n", foldable), ({ n }) => foldToConstant(n))];
