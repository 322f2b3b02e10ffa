import { elu, gelu, leakyRelu, logSoftmax, mul, relu, sigmoid, softmax, softplus, tanh } from "@gradfold/graph";
import type { FloatTensor } from "./layer.ts";

export type Activation = (x: FloatTensor) => FloatTensor;

/** SiLU / swish, x·σ(x) (Ramachandran et al. 2017). */
export const silu: Activation = (x) => mul(x, sigmoid(x)) as FloatTensor;

/**
 * The activations a layer can name. Non-saturating units (relu and its relatives)
 * keep gradients alive through depth; sigmoid and tanh saturate (σ' ≤ ¼), which is
 * the vanishing-gradient effect measured in test/vanishing-gradient.test.ts.
 */
export const activations = {
  linear: (x: FloatTensor) => x,
  sigmoid: (x: FloatTensor) => sigmoid(x),
  tanh: (x: FloatTensor) => tanh(x),
  relu: (x: FloatTensor) => relu(x),
  leakyRelu: (x: FloatTensor) => leakyRelu(x, 0.01),
  elu: (x: FloatTensor) => elu(x, 1),
  gelu: (x: FloatTensor) => gelu(x),
  softplus: (x: FloatTensor) => softplus(x),
  silu,
  softmax: (x: FloatTensor) => softmax(x, -1),
  logSoftmax: (x: FloatTensor) => logSoftmax(x, -1),
} satisfies Record<string, Activation>;

export type ActivationName = keyof typeof activations;

/** An activation by name or as a function; unknown names are refused with the list of known ones. */
export function resolveActivation(activation: ActivationName | Activation | undefined): Activation {
  if (activation === undefined) return activations.linear;
  if (typeof activation === "function") return activation;
  if (!Object.hasOwn(activations, activation)) {
    throw new Error(`unknown activation ${JSON.stringify(activation)}; expected one of ${Object.keys(activations).join(", ")} or a function`);
  }
  return activations[activation];
}
