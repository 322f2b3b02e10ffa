import { GraphError } from "./errors.ts";
import { grad } from "./grad.ts";
import { add, mul } from "./ops/binary.ts";
import { broadcastTo } from "./ops/layout.ts";
import { input, scalar } from "./ops/leaves.ts";
import { sum } from "./ops/reduce.ts";
import { formatShape, sameShape } from "./shape.ts";
import type { AnyTensor } from "./tensor.ts";
import { substitute } from "./traverse.ts";

let dummyCount = 0;

/**
 * Forward-mode derivative: J·t for each y, with `tangents` matching `xs`.
 * Built from reverse mode by the transposition trick: the vjp u ↦ Jᵀu is linear in
 * u, so differentiating ⟨Jᵀu, t⟩ with respect to u gives J·t, and u drops out.
 */
export function jvp<const Ys extends readonly AnyTensor[]>(ys: Ys, xs: readonly AnyTensor[], tangents: readonly AnyTensor[]): { -readonly [K in keyof Ys]: Ys[K] } {
  if (xs.length !== tangents.length) throw new GraphError(`jvp: ${xs.length} xs but ${tangents.length} tangents`);
  if (xs.length === 0) throw new GraphError("jvp: expected at least one x to move along");
  xs.forEach((x, i) => {
    if (!sameShape(x.shape, tangents[i].shape)) {
      throw new GraphError(`jvp: tangent ${i} has shape ${formatShape(tangents[i].shape)}, x has ${formatShape(x.shape)}`);
    }
  });
  return ys.map((y: AnyTensor) => {
    const u = input(`__jvp_cotangent_${dummyCount++}`, y.shape);
    const vjps = grad(y, xs, u);
    const inner = vjps.map((g, i) => sum(mul(g, tangents[i]))).reduce((a, b) => add(a, b));
    const [jt] = grad(inner, [u]);
    // Linearity in u: any u left in the graph multiplies zero, so bind it to zeros.
    return substitute([jt], new Map([[u, broadcastTo(scalar(0), y.shape)]]))[0];
  }) as { -readonly [K in keyof Ys]: Ys[K] };
}
