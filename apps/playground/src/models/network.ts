import type { AnyTensor } from "@gradfold/graph";
import { activations, dense, glorotNormal, heNormal, normal, type FloatTensor, type Initializer } from "@gradfold/nn";

export type ActivationChoice = "relu" | "tanh" | "sigmoid";
export type InitChoice = "he" | "glorot" | "small" | "large";

/** Weight initialisations offered by the views; "small"/"large" are fixed std 0.01 and 1. */
export const initializers: Record<InitChoice, (seed: number) => Initializer> = {
  he: (seed) => heNormal({ seed }),
  glorot: (seed) => glorotNormal({ seed }),
  small: (seed) => normal({ std: 0.01, seed }),
  large: (seed) => normal({ std: 1, seed }),
};

export interface NetworkConfig {
  readonly inputs: number;
  readonly hidden: readonly number[];
  readonly outputs: number;
  readonly activation: ActivationChoice;
  /** Hidden layers after the first become h + act(dense(h)) where the widths agree. */
  readonly residual?: boolean;
  readonly init: InitChoice;
  readonly seed: number;
}

export interface Network {
  readonly output: FloatTensor;
  /** Every param, layer by layer (weights, then bias). */
  readonly params: readonly FloatTensor[];
  /** The weight matrix of each layer, first layer first. */
  readonly weights: readonly FloatTensor[];
}

/**
 * An MLP (optionally residual) from @gradfold/nn's `dense`. Params are named
 * `layer<i>/W` and `layer<i>/b`, and their initial values depend only on the config,
 * so separate graphs (training, evaluation, prediction) built from one config
 * exchange weights by name with step.read/step.write.
 */
export function network(config: NetworkConfig, x: AnyTensor): Network {
  const act = activations[config.activation];
  const init = initializers[config.init];
  const params: FloatTensor[] = [];
  const weights: FloatTensor[] = [];
  const layer = (h: FloatTensor, units: number, i: number, activation?: (t: FloatTensor) => FloatTensor) => {
    const built = dense(h, units, { name: `layer${i}`, init: init(config.seed * 1000 + i), activation });
    params.push(...built.params);
    weights.push(built.params[0]);
    return built.output as FloatTensor;
  };
  let h = x as FloatTensor;
  let width = config.inputs;
  config.hidden.forEach((units, i) => {
    const out = layer(h, units, i + 1, act);
    h = config.residual && i > 0 && units === width ? (h.add(out) as FloatTensor) : out;
    width = units;
  });
  return { output: layer(h, config.outputs, config.hidden.length + 1), params, weights };
}
