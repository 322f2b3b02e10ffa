import type { Scalar, Tensor, Tensor2D, Tensor4D, Tensor5D, Variable } from "@tensorflow/tfjs";
import { cnnFeatureSize, type CnnConfig } from "../cnn.ts";
import type { Problem } from "../problem.ts";

type Tf = typeof import("@tensorflow/tfjs");

/** What tfjs.ts needs of a model: its variables, the loss closure minimize() takes, and the data tensors to dispose. */
export interface TfModel {
  readonly vars: Variable[];
  readonly lossFn: () => Scalar;
  readonly data: readonly Tensor[];
}

/**
 * The bench CNN in TensorFlow.js, NHWC and HWIO as tfjs has them natively:
 * conv + bias → relu → `tf.maxPool` per stage, flatten, dense layers.
 *
 * tfjs-backend-wasm 4.22 registers Conv2D and Conv2DBackpropInput but no
 * Conv2DBackpropFilter, so `tf.conv2d`'s gradient throws there. It does register
 * Conv3D with both of its gradients, so on wasm each conv is `tf.conv3d` over a
 * depth-1 volume ([n, 1, h, w, c] with a [1, k, k, in, out] filter): the same
 * arithmetic, all in its XNNPACK/Wasm kernels. On cpu, `tf.conv2d`.
 */
export function tfjsCnn(tf: Tf, backend: "wasm" | "cpu", problem: Problem & { config: CnnConfig }): TfModel {
  const { cnn, layers, batch } = problem.config;
  const [h, w, c] = cnn.image;
  const stages = cnn.convs.length;
  const depth1 = backend === "wasm";
  const vars = problem.params.map((p, i) => {
    const shape = depth1 && i < 2 * stages && i % 2 === 0 ? [1, ...p.shape] : [...p.shape];
    return tf.variable(tf.tensor(p.data, shape, "float32"), true);
  });
  const x = depth1 ? tf.tensor5d(problem.x, [batch, 1, h, w, c]) : tf.tensor4d(problem.x, [batch, h, w, c]);
  const classes = layers[layers.length - 1];
  const target = tf.tensor2d(problem.oneHot, [batch, classes]);
  const f = cnnFeatureSize(cnn);

  const conv = (act: Tensor, i: number): Tensor4D => {
    if (!depth1) return tf.conv2d(act as Tensor4D, vars[2 * i] as Tensor4D, 1, "same");
    const [n, ih, iw, ic] = act.shape.length === 5 ? [act.shape[0], act.shape[2], act.shape[3], act.shape[4]] : act.shape;
    const vol = act.shape.length === 5 ? (act as Tensor5D) : tf.reshape(act, [n, 1, ih, iw, ic]);
    const y = tf.conv3d(vol as Tensor5D, vars[2 * i] as Tensor5D, 1, "same");
    return tf.reshape(y, [y.shape[0], y.shape[2], y.shape[3], y.shape[4]]);
  };

  const lossFn = (): Scalar => {
    let act: Tensor = x;
    for (let i = 0; i < stages; i++) {
      const z = tf.add(conv(act, i), vars[2 * i + 1]) as Tensor4D;
      act = tf.maxPool(tf.relu(z), cnn.pool, cnn.pool, "valid");
    }
    act = tf.reshape(act, [batch, f.h * f.w * f.c]);
    const dense = vars.slice(2 * stages);
    for (let l = 0; l + 1 < layers.length; l++) {
      const z = tf.add(tf.matMul(act as Tensor2D, dense[2 * l] as Tensor2D), dense[2 * l + 1]);
      act = l + 2 < layers.length ? tf.relu(z) : z;
    }
    return tf.losses.softmaxCrossEntropy(target, act) as Scalar;
  };
  return { vars, lossFn, data: [x, target] };
}
