import { add, matmul, param, type ParamInit, type Shape, type Tensor } from "@gradfold/graph";
import { glorotUniform, zeros } from "../init/initializers.ts";
import { hashString } from "../init/prng.ts";
import { resolveActivation, type Activation, type ActivationName } from "./activations.ts";
import { layerName } from "./scope.ts";
import { featuresOf, layerOf, type FloatTensor, type Layer, type WithFeatures } from "./layer.ts";

export interface DenseOptions {
  /** Prefix of the param names `${name}/W` and `${name}/b`; default "dense" (auto-numbered inside a model build). */
  name?: string;
  activation?: ActivationName | Activation;
  /** The kernel's init; default Glorot uniform seeded by the layer's name (so every layer differs, deterministically). */
  init?: ParamInit;
  /** Add a bias (default true). */
  bias?: boolean;
  biasInit?: ParamInit;
}

/**
 * A fully connected layer: activation(x·W + b), x [..., in] → [..., units], with
 * W [in, units] and b [units]. Leading axes (the batch) pass through.
 */
export function dense<S extends Shape, const U extends number>(x: Tensor<S, "float32">, units: U, options: DenseOptions = {}): Layer<WithFeatures<S, U>> {
  const name = layerName("dense", options.name);
  const inputs = featuresOf(`dense ${JSON.stringify(name)}`, x);
  if (!Number.isInteger(units) || units < 1) throw new Error(`dense ${JSON.stringify(name)}: units must be a positive integer, got ${units}`);
  const W = param(`${name}/W`, [inputs, units], { init: options.init ?? glorotUniform({ seed: hashString(name) }) });
  const params: FloatTensor[] = [W];
  let h = matmul(x as FloatTensor, W) as FloatTensor;
  if (options.bias ?? true) {
    const b = param(`${name}/b`, [units], { init: options.biasInit ?? zeros() });
    params.push(b);
    h = add(h, b) as FloatTensor;
  }
  return layerOf(resolveActivation(options.activation)(h), [{ params }]) as Layer<WithFeatures<S, U>>;
}
