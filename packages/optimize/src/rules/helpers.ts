import { uniformValue } from "../pattern.ts";
import { GraphError, constant, scalar, type AnyTensor, type DType } from "@gradfold/graph";
import { hasTrait, registry } from "@gradfold/graph/internal";

/** A constant with `f` applied to each element, same shape and dtype. */
export function mapConstant(node: AnyTensor, f: (x: number) => number): AnyTensor {
  if (!node.is("constant")) {
    // a broadcast uniform constant: the scalar is enough, the rewrite engine broadcasts it back
    const value = uniformValue(node);
    if (value === undefined) throw new GraphError(`mapConstant: expected a constant, got ${node.op}`);
    return scalar(f(value), node.dtype);
  }
  const { data, shape, dtype } = node.params;
  if (shape.length === 0) return scalar(f(data[0]), dtype);
  return constant(data.map(f), shape, dtype) as AnyTensor;
}

/** True for ±2^k whose reciprocal is also a finite float: x/c and x·(1/c) agree bit for bit. */
export function isPowerOfTwo(value: number): boolean {
  if (value === 0 || !Number.isFinite(value) || !Number.isFinite(1 / value)) return false;
  const e = Math.log2(Math.abs(value));
  return Number.isInteger(e) && Math.abs(e) < 126;
}

/** The uniform value of a constant node, or undefined. */
export { uniformValue };

export const zero = (dtype: DType): AnyTensor => scalar(0, dtype);

export const isLeaf = (node: AnyTensor): boolean => hasTrait(registry[node.op], "leaf");
export const isCommutativeBinary = (node: AnyTensor): boolean => node.inputs.length === 2 && hasTrait(registry[node.op], "commutative");
