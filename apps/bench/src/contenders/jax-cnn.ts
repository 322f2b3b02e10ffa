import type { Array as JaxArray } from "@jax-js/jax";
import { cnnFeatureSize, type CnnConfig } from "../cnn.ts";
import type { Problem } from "../problem.ts";
import type { Jax, JaxModel } from "./jax.ts";

/**
 * The bench CNN in jax-js, whose convolutions are NCHW with OIHW filters only
 * (`lax.convGeneralDilated`): the shared NHWC images and HWIO filters are laid out
 * that way once, before the first step, as a user porting the weights would; so
 * is the first dense layer's rows (flattening NCHW gives features in c, h, w order,
 * NHWC in h, w, c order). Biases are [out, 1, 1] so they broadcast over NCHW. Max
 * pooling is `lax.reduceWindow` with `max`, as jax's users write it (flax's
 * max_pool). Then the same jitted valueAndGrad + update as the MLP (jax.ts).
 */
export function jaxCnn(jax: Jax, problem: Problem & { config: CnnConfig }): JaxModel {
  const np = jax.numpy;
  const { config } = problem;
  const { cnn, layers, batch } = config;
  const [h, w, c] = cnn.image;
  const p = cnn.pool;
  const stages = cnn.convs.length;

  const lossOf = (params: JaxArray[], x: JaxArray, target: JaxArray): JaxArray => {
    let act = x;
    for (let i = 0; i < stages; i++) {
      const z = jax.lax.convGeneralDilated(act, params[2 * i], [1, 1], "SAME").add(params[2 * i + 1]);
      act = jax.lax.reduceWindow(jax.nn.relu(z), (win: JaxArray) => np.max(win), [p, p], [p, p]);
    }
    const f = cnnFeatureSize(cnn);
    act = act.reshape([batch, f.c * f.h * f.w]);
    const dense = params.slice(2 * stages);
    for (let l = 0; l + 1 < layers.length; l++) {
      const z = np.matmul(act, dense[2 * l]).add(dense[2 * l + 1]);
      act = l + 2 < layers.length ? jax.nn.relu(z) : z;
    }
    return jax.nn.logSoftmax(act, -1).mul(target).sum(-1).mean().neg();
  };

  const params = problem.params.map((param, i) => {
    if (i < 2 * stages && i % 2 === 0) {
      const [kh, kw, ci, co] = param.shape;
      return np.array(permute(param.data, [kh, kw, ci, co], [3, 2, 0, 1]), { shape: [co, ci, kh, kw] });
    }
    if (i < 2 * stages) return np.array(param.data, { shape: [param.shape[0], 1, 1] });
    if (i === 2 * stages) {
      // Rows of the first dense layer: NHWC flatten order (h, w, c) → NCHW (c, h, w).
      const f = cnnFeatureSize(cnn);
      const [rows, cols] = param.shape;
      const byHwc = permute(param.data, [f.h, f.w, f.c, cols], [2, 0, 1, 3]);
      return np.array(byHwc, { shape: [rows, cols] });
    }
    return np.array(param.data, { shape: [...param.shape] });
  });
  const x = np.array(permute(problem.x, [batch, h, w, c], [0, 3, 1, 2]), { shape: [batch, c, h, w] });
  return { lossOf, params, x };
}

/** Row-major transpose: `data` of `shape` with its axes reordered as `axes` (numpy's transpose). */
export function permute(data: Float32Array, shape: readonly number[], axes: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  const outShape = axes.map((a) => shape[a]);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1));
  const index = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < axes.length; d++) src += index[d] * strides[axes[d]];
    out[o] = data[src];
    for (let d = axes.length - 1; d >= 0; d--) {
      if (++index[d] < outShape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}
