import type { Initializer, SeedOptions } from "../init/initializers.ts";
import { glorotUniform } from "../init/initializers.ts";
import { combineSeeds } from "../init/prng.ts";
import type { Activation, ActivationName } from "./activations.ts";
import { dense } from "./dense.ts";
import { dropout } from "./dropout.ts";
import type { Shape, Tensor } from "@gradfold/graph";
import { layerName } from "./scope.ts";
import { featuresOf, layerOf, type FloatTensor, type Layer, type WithFeatures } from "./layer.ts";

export interface MlpOptions {
  /** Param name prefix; layer i's params are `${name}/${i}/W` and `${name}/${i}/b`. Default "mlp". */
  name?: string;
  /** Activation of the hidden layers; default relu. */
  activation?: ActivationName | Activation;
  /** Activation of the last layer; default linear (logits). */
  outputActivation?: ActivationName | Activation;
  /**
   * Initializer factory for the kernels, called once per layer with a seed derived from
   * `seed` and the layer index: pass `heNormal`, `glorotUniform` (the default), `lecunNormal`…
   */
  init?: (options: SeedOptions) => Initializer;
  /** Base seed; default 0. */
  seed?: number;
  bias?: boolean;
  /** Dropout rate after each hidden activation (0 = none). */
  dropout?: number;
  /** Training mode for dropout; default: the build's mode (see `defineModel`), else true. */
  training?: boolean;
}

/** The last entry of a literal tuple of sizes: the output width. */
type Last<Z extends readonly number[]> = Z extends readonly [...number[], infer L extends number] ? L : number;

/**
 * A multilayer perceptron over `sizes` = [in, hidden…, out], e.g. [784, 256, 128, 10]:
 * sizes[0] must be x's feature count; each following entry is a dense layer.
 */
export function mlp<S extends Shape, const Z extends readonly number[]>(x: Tensor<S, "float32">, sizes: Z, options: MlpOptions = {}): Layer<WithFeatures<S, Last<Z>>> {
  const name = layerName("mlp", options.name);
  if (!Array.isArray(sizes) || sizes.length < 2)
    throw new Error(`mlp ${JSON.stringify(name)}: sizes must list the input width and at least one layer, got ${JSON.stringify(sizes)}`);
  const features = featuresOf(`mlp ${JSON.stringify(name)}`, x);
  if (sizes[0] !== features) throw new Error(`mlp ${JSON.stringify(name)}: sizes[0] is ${sizes[0]} but the input has ${features} features`);
  const factory = options.init ?? glorotUniform;
  const seed = options.seed ?? 0;
  const init = (layerSeed: number): Initializer => {
    let made: unknown;
    let problem = "";
    try {
      made = factory({ seed: layerSeed });
    } catch (error) {
      problem = ` (calling it failed: ${(error as Error).message})`;
    }
    if (typeof made !== "function") {
      throw new Error(`mlp ${JSON.stringify(name)}: init must be an initializer factory such as heNormal, called with { seed }, not an initializer${problem}`);
    }
    return made as Initializer;
  };
  const parts: Layer[] = [];
  let h = x as FloatTensor;
  for (let i = 1; i < sizes.length; i++) {
    const last = i === sizes.length - 1;
    const layer = dense(h, sizes[i], {
      name: `${name}/${i - 1}`,
      activation: last ? (options.outputActivation ?? "linear") : (options.activation ?? "relu"),
      init: init(combineSeeds(seed, i - 1)),
      bias: options.bias,
    });
    parts.push(layer);
    h = layer.output;
    if (!last && (options.dropout ?? 0) > 0) {
      const drop = dropout(h, { rate: options.dropout!, name: `${name}/${i - 1}/dropout`, training: options.training, seed });
      parts.push(drop);
      h = drop.output;
    }
  }
  return layerOf(h, parts) as Layer<WithFeatures<S, Last<Z>>>;
}
