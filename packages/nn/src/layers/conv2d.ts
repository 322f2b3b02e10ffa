import { add, conv2d as conv2dOp, GraphError, param, type Conv2dOptions, type Dim, type ParamInit, type Shape, type Tensor } from "@gradfold/graph";
import { glorotUniform, heNormal, zeros } from "../init/initializers.ts";
import { hashString } from "../init/prng.ts";
import { resolveActivation, type Activation, type ActivationName } from "./activations.ts";
import { featuresOf, layerOf, type FloatTensor, type Layer } from "./layer.ts";

/** An NHWC shape after a conv with F filters: batch kept, spatial dims widened, channels F. */
export type WithChannels<S extends Shape, F extends number> = S extends readonly [infer N extends Dim, Dim, Dim, Dim] ? [N, number, number, F] : Dim[];

export interface Conv2dLayerOptions extends Conv2dOptions {
  /** Prefix of the param names `${name}/W` and `${name}/b`; default "conv2d". Names must be unique in a model. */
  name?: string;
  /** [kh, kw] or one size for both. */
  kernelSize: number | readonly [number, number];
  activation?: ActivationName | Activation;
  /**
   * The filter's init. Default: He normal (fan-in, PyTorch's ReLU gain) when the
   * activation is a ReLU, Glorot uniform otherwise; both read the fans of the
   * [kh, kw, in/groups, out] filter, so fan-in = kh·kw·in/groups and fan-out = kh·kw·out.
   */
  init?: ParamInit;
  /** Add a per-channel bias (default true). */
  bias?: boolean;
  biasInit?: ParamInit;
}

/**
 * A 2-D convolution layer on NHWC x [n, h, w, c]: activation(conv2d(x, W) + b) with
 * W [kh, kw, c/groups, filters] and b [filters], the bias broadcast over the
 * channels (the last axis).
 */
export function conv2d<S extends Shape, const F extends number>(x: Tensor<S, "float32">, filters: F, options: Conv2dLayerOptions): Layer<WithChannels<S, F>> {
  const name = options?.name ?? "conv2d";
  const what = `conv2d ${JSON.stringify(name)}`;
  const channels = featuresOf(what, x as FloatTensor);
  if (x.rank !== 4) throw new GraphError(`${what}: expected an NHWC input [batch, height, width, channels], got shape ${JSON.stringify(x.shape)}`);
  if (!Number.isInteger(filters) || filters < 1) throw new GraphError(`${what}: filters must be a positive integer, got ${filters}`);
  const kernel = typeof options.kernelSize === "number" ? [options.kernelSize, options.kernelSize] : options.kernelSize;
  if (!Array.isArray(kernel) || kernel.length !== 2 || kernel.some((k) => !Number.isInteger(k) || k < 1)) {
    throw new GraphError(`${what}: kernelSize must be a positive integer or [kh, kw], got ${JSON.stringify(options.kernelSize)}`);
  }
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1 || channels % groups !== 0) throw new GraphError(`${what}: groups must divide the ${channels} input channels, got ${groups}`);
  const isRelu = options.activation === "relu";
  const init = options.init ?? (isRelu ? heNormal({ seed: hashString(name) }) : glorotUniform({ seed: hashString(name) }));
  const W = param(`${name}/W`, [kernel[0], kernel[1], channels / groups, filters], { init });
  const params: FloatTensor[] = [W];
  // The conv's own options pass through (a misspelt one is the graph's error).
  const { name: _name, kernelSize: _kernel, activation, init: _init, bias, biasInit, ...convOptions } = options;
  let h = conv2dOp(x as FloatTensor, W, convOptions) as FloatTensor;
  if (bias ?? true) {
    const b = param(`${name}/b`, [filters], { init: biasInit ?? zeros() });
    params.push(b);
    h = add(h, b) as FloatTensor;
  }
  return layerOf(resolveActivation(activation)(h), [{ params }]) as Layer<WithChannels<S, F>>;
}
