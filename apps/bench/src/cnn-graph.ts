import { conv2d, input, maxPool2d, param, softmaxCrossEntropy, type AnyTensor } from "@gradfold/graph";
import { cnnFeatureSize, type CnnConfig } from "./cnn.ts";
import type { Problem } from "./problem.ts";

/**
 * gradfold's CNN loss graph (cnn.ts's architecture), from the problem's params in
 * their order: conv "same" + bias → relu → max pool per stage, flatten (NHWC, so
 * features in h, w, c order), dense layers with relu between, mean softmax
 * cross-entropy. `x` is fed as the problem's rows [batch, h·w·c] and reshaped here,
 * so every contender is fed the same arrays.
 */
export function buildCnnLoss(problem: Problem & { config: CnnConfig }): { x: AnyTensor; labels: AnyTensor; loss: AnyTensor; params: AnyTensor[] } {
  const { cnn, layers } = problem.config;
  const [h, w, c] = cnn.image;
  const x = input("x", ["batch", h * w * c]);
  const labels = input("labels", ["batch"], "int32");
  const params = problem.params.map((p) => param(p.name, p.shape, { init: p.data }) as AnyTensor);
  let act: AnyTensor = x.reshape(["batch", h, w, c]);
  cnn.convs.forEach((_, i) => {
    const z = conv2d(act, params[2 * i], { padding: "same" }).add(params[2 * i + 1]);
    act = maxPool2d(z.relu(), cnn.pool);
  });
  const f = cnnFeatureSize(cnn);
  act = act.reshape(["batch", f.h * f.w * f.c]);
  const dense = params.slice(2 * cnn.convs.length);
  for (let l = 0; l + 1 < layers.length; l++) {
    const z = act.matmul(dense[2 * l]).add(dense[2 * l + 1]);
    act = l + 2 < layers.length ? z.relu() : z;
  }
  return { x, labels, loss: softmaxCrossEntropy(act, labels).mean(), params };
}
