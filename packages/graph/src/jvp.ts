import { GraphError } from "./errors.ts";
import { grad } from "./grad.ts";
import { add, mul } from "./ops/binary.ts";
import { broadcastTo } from "./ops/layout.ts";
import { constant, input, scalar } from "./ops/leaves.ts";
import { sum } from "./ops/reduce.ts";
import { formatShape, isConcrete, numel, sameShape } from "./shape.ts";
import { Tensor, type AnyTensor } from "./tensor.ts";
import { substitute } from "./traverse.ts";

let dummyCount = 0;

/**
 * Forward-mode derivative: J·t for each y, with `tangents` matching `xs`.
 * Built from reverse mode by the transposition trick: the vjp u ↦ Jᵀu is linear in
 * u, so differentiating ⟨Jᵀu, t⟩ with respect to u gives J·t, and u drops out.
 */
export function jvp<const Ys extends readonly AnyTensor[]>(ys: Ys, xs: readonly AnyTensor[], tangents: readonly Tangent[]): { -readonly [K in keyof Ys]: Ys[K] };
/** One y, one x: `jvp(y, x, t)` returns J·t as a single tensor. */
export function jvp<Y extends AnyTensor>(y: Y, xs: AnyTensor | readonly AnyTensor[], tangents: Tangent | readonly Tangent[]): Y;
export function jvp(ysIn: AnyTensor | readonly AnyTensor[], xsIn: AnyTensor | readonly AnyTensor[], tangentsIn: Tangent | readonly Tangent[]): AnyTensor | AnyTensor[] {
  const ys = ysIn instanceof Tensor ? [ysIn] : ysIn;
  const xs = xsIn instanceof Tensor ? [xsIn] : xsIn;
  const rawTangents = xsIn instanceof Tensor ? [tangentsIn as Tangent] : (tangentsIn as readonly Tangent[]);
  if (!Array.isArray(ys) || !Array.isArray(xs) || !Array.isArray(rawTangents)) {
    throw new GraphError("jvp: expected (ys, xs, tangents) as tensors or arrays of tensors");
  }
  if (xs.length !== rawTangents.length) throw new GraphError(`jvp: ${xs.length} xs but ${rawTangents.length} tangents`);
  if (xs.length === 0) throw new GraphError("jvp: expected at least one x to move along");
  const tangents = xs.map((x: AnyTensor, i) => asTangent(rawTangents[i], x, i));
  const out = ys.map((y: AnyTensor) => {
    const u = input(`__jvp_cotangent_${dummyCount++}`, y.shape);
    const vjps = grad(y, xs, u);
    const inner = vjps.map((g, i) => sum(mul(g, tangents[i]))).reduce((a, b) => add(a, b));
    const [jt] = grad(inner, [u]);
    // Linearity in u: any u left in the graph multiplies zero, so bind it to zeros.
    return substitute([jt], new Map([[u, broadcastTo(scalar(0), y.shape)]]))[0];
  });
  return ysIn instanceof Tensor ? out[0] : out;
}

/** A tangent: a tensor of x's shape, or plain data for an x of concrete shape. */
export type Tangent = AnyTensor | ArrayLike<number>;

function asTangent(t: Tangent, x: AnyTensor, i: number): AnyTensor {
  if (t instanceof Tensor) {
    if (!sameShape(x.shape, t.shape)) throw new GraphError(`jvp: tangent ${i} has shape ${formatShape(t.shape)}, x has ${formatShape(x.shape)}`);
    return t;
  }
  if (!isConcrete(x.shape)) throw new GraphError(`jvp: tangent ${i} is data, but x has a symbolic shape ${formatShape(x.shape)}; pass a tensor`);
  if (t === null || typeof t !== "object" || typeof t.length !== "number" || t.length !== numel(x.shape)) {
    throw new GraphError(`jvp: tangent ${i} must be a tensor or ${numel(x.shape)} values for x of shape ${formatShape(x.shape)}`);
  }
  return constant(Array.from(t), x.shape);
}
