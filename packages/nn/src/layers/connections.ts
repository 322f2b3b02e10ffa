import { add, concat, GraphError } from "@gradfold/graph";
import { sameShape } from "@gradfold/graph/internal";
import { dense } from "./dense.ts";
import { layerName } from "./scope.ts";
import { asLayer, featuresOf, layerOf, type FloatTensor, type Layer, type LayerFn } from "./layer.ts";
import type { Activation, ActivationName } from "./activations.ts";

export interface ResidualOptions {
  /** Prefix of the projection's param, `${name}/projection/W`; default "residual". */
  name?: string;
  /**
   * When F changes the feature count, add a learned linear projection of x (He et al.'s
   * option B) instead of failing. Default false: the identity shortcut.
   */
  projection?: boolean;
}

/**
 * A residual unit (He et al. 2016): y = x + F(x). The identity path carries the
 * gradient unchanged (∂y/∂x = I + ∂F/∂x), which is why deep residual stacks do not
 * suffer vanishing gradients the way plain ones do.
 */
export function residual(x: FloatTensor, f: LayerFn, options: ResidualOptions = {}): Layer {
  const name = layerName("residual", options.name);
  const inner = asLayer(f(x));
  if (sameShape(inner.output.shape, x.shape)) return layerOf(add(x, inner.output) as FloatTensor, [inner]);
  if (!options.projection) {
    throw new GraphError(
      `residual ${JSON.stringify(name)}: F(x) has shape ${JSON.stringify(inner.output.shape)} but x has ${JSON.stringify(x.shape)}; ` +
        "make F keep the shape or pass { projection: true }",
    );
  }
  const shortcut = dense(x, featuresOf(`residual ${JSON.stringify(name)}`, inner.output), { name: `${name}/projection`, bias: false });
  return layerOf(add(shortcut.output, inner.output) as FloatTensor, [inner, shortcut]);
}

/** A skip connection by concatenation: [x, F(x)] along the feature axis (U-Net / DenseNet style). */
export function concatSkip(x: FloatTensor, f: LayerFn): Layer {
  const inner = asLayer(f(x));
  return layerOf(concat([x, inner.output], -1) as FloatTensor, [inner]);
}

export interface DenseBlockOptions {
  /** Layer i's params are `${name}/${i}/W`, `${name}/${i}/b`; default "denseBlock". */
  name?: string;
  /** Number of layers; default 3. */
  layers?: number;
  /** Features each layer adds (DenseNet's growth rate k). */
  growth: number;
  activation?: ActivationName | Activation;
}

/**
 * Dense connectivity (Huang et al. 2017, DenseNet) on feature vectors: layer i sees the
 * concatenation of x and every earlier layer's output, and the block returns all of
 * them concatenated: width in + layers·growth. Every layer has a short path to the
 * loss, so gradients reach early layers directly.
 */
export function denseBlock(x: FloatTensor, options: DenseBlockOptions): Layer {
  const { layers = 3, growth, activation = "relu" } = options;
  const name = layerName("denseBlock", options.name);
  featuresOf(`denseBlock ${JSON.stringify(name)}`, x);
  const parts: Layer[] = [];
  const features: FloatTensor[] = [x];
  for (let i = 0; i < layers; i++) {
    const layer = dense(concat(features, -1) as FloatTensor, growth, { name: `${name}/${i}`, activation });
    parts.push(layer);
    features.push(layer.output);
  }
  return layerOf(concat(features, -1) as FloatTensor, parts);
}
