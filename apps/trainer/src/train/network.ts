import { activations as nnActivations, combineSeeds, defineModel, dense, dropout, hashString, normal, residual, varianceScaling, type FloatTensor, type ModelDefinition } from "@gradfold/nn";

/** The hidden-unit choices of the CLI, mapped to @gradfold/nn's activations. */
export const activations = {
  relu: nnActivations.relu,
  tanh: nnActivations.tanh,
  sigmoid: nnActivations.sigmoid,
  gelu: nnActivations.gelu,
  elu: nnActivations.elu,
  "leaky-relu": nnActivations.leakyRelu,
  silu: nnActivations.silu,
  softplus: nnActivations.softplus,
};
export type ActivationName = keyof typeof activations;

/**
 * How weights start: "he" (√(2/fan_in), for ReLU-like units), "glorot"
 * (√(2/(fan_in+fan_out))), "lecun" (√(1/fan_in)), or a number: a fixed standard
 * deviation (the init experiment sweeps it). Normal distribution, zero biases.
 */
export type InitName = "auto" | "he" | "glorot" | "lecun" | number;

export interface ModelConfig {
  readonly model: "mlp" | "residual";
  /** Hidden layer widths of an MLP. */
  readonly layers: readonly number[];
  readonly activation: ActivationName;
  /** Residual blocks and their width. */
  readonly depth: number;
  readonly width: number;
  readonly init: InitName;
  readonly dropout: number;
}

const reluLike = new Set<ActivationName>(["relu", "leaky-relu", "gelu", "elu", "silu", "softplus"]);

/**
 * The kernel init of layer `name`: one of @gradfold/nn's seeded initializers, seeded by
 * (run seed, layer name), its standard deviation times `gain`.
 */
function kernelInit(config: ModelConfig, seed: number, name: string, gain = 1) {
  const kind = config.init === "auto" ? (reluLike.has(config.activation) ? "he" : "glorot") : config.init;
  const layerSeed = combineSeeds(seed, hashString(name));
  if (typeof kind === "number") return normal({ std: kind * gain, seed: layerSeed });
  const scaling = { he: { mode: "fanIn", gain: Math.SQRT2 }, glorot: { mode: "fanAvg", gain: 1 }, lecun: { mode: "fanIn", gain: 1 } } as const;
  return varianceScaling({ ...scaling[kind], gain: scaling[kind].gain * gain, distribution: "normal", seed: layerSeed });
}

/** Names of the dense layers in order; each has params `<name>/W` and `<name>/b`. */
export function layerNames(config: ModelConfig): string[] {
  if (config.model === "mlp") return Array.from({ length: config.layers.length + 1 }, (_, i) => `dense${i + 1}`);
  return ["stem", ...Array.from({ length: config.depth }, (_, i) => `block${i + 1}`), "head"];
}

/**
 * An MLP (inputs → hidden layers with `activation` → outputs) or a residual network
 * (inputs → width, then `depth` blocks h + act(dense(h)), then outputs), from
 * @gradfold/nn's layers: dropout after each hidden layer (MLP) or on each residual
 * branch, following the build (training or inference). Weights are seeded by `seed`
 * and the layer name, so a seed fixes them.
 */
export function networkOf(config: ModelConfig, outputs: number, seed: number): ModelDefinition<FloatTensor> {
  const act = activations[config.activation];
  const names = layerNames(config);
  const drop = (h: FloatTensor) => (config.dropout > 0 ? dropout(h, { rate: config.dropout, seed }).output : h);
  const layer = (h: FloatTensor, i: number, units: number, activation?: typeof act, gain?: number) =>
    dense(h, units, { name: names[i], init: kernelInit(config, seed, names[i], gain), activation }).output;
  if (config.model === "mlp") {
    return defineModel((x: FloatTensor) => {
      let h = x;
      config.layers.forEach((units, i) => {
        h = drop(layer(h, i, units, act));
      });
      return layer(h, config.layers.length, outputs);
    });
  }
  const { depth, width } = config;
  return defineModel((x: FloatTensor) => {
    let h: FloatTensor = layer(x, 0, width, act);
    // Residual branches start smaller so the sum of `depth` of them keeps the scale of h.
    for (let i = 1; i <= depth; i++) h = residual(h, (v) => drop(layer(v, i, width, act, 1 / Math.sqrt(depth))), { name: `residual${i}` }).output;
    return layer(h, depth + 1, outputs);
  });
}
