import { maxPool2d } from "@gradfold/graph";
import {
  activations as nnActivations,
  combineSeeds,
  conv2d,
  defineModel,
  dense,
  dropout,
  flatten,
  hashString,
  normal,
  residual,
  varianceScaling,
  type FloatTensor,
  type ModelDefinition,
} from "@gradfold/nn";

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

/** The side of MNIST's square images; the CNN reads its 784 features as [28, 28, 1]. */
export const imageSide = 28;

export interface ModelConfig {
  readonly model: "mlp" | "residual" | "cnn";
  /** Hidden layer widths of an MLP. */
  readonly layers: readonly number[];
  readonly activation: ActivationName;
  /** Residual blocks and their width. */
  readonly depth: number;
  readonly width: number;
  /** CNN: filters of each conv layer (each followed by a 2×2 max pool), the square kernel size, the dense layer's width. */
  readonly channels: readonly number[];
  readonly kernel: number;
  readonly dense: number;
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
  if (config.model === "cnn") return [...config.channels.map((_, i) => `conv${i + 1}`), "dense1", "dense2"];
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
  if (config.model === "cnn") return cnnOf(config, outputs, seed);
  const { depth, width } = config;
  return defineModel((x: FloatTensor) => {
    let h: FloatTensor = layer(x, 0, width, act);
    // Residual branches start smaller so the sum of `depth` of them keeps the scale of h.
    for (let i = 1; i <= depth; i++) h = residual(h, (v) => drop(layer(v, i, width, act, 1 / Math.sqrt(depth))), { name: `residual${i}` }).output;
    return layer(h, depth + 1, outputs);
  });
}

/**
 * A LeNet-style CNN on the 784 features read as NHWC [batch, 28, 28, 1] (a reshape:
 * with one channel the row-major pixels already are NHWC): per entry of `channels`
 * a kernel×kernel "same" conv with `activation` and a 2×2 max pool, then a dense
 * layer of `dense` units (dropout after it), then the outputs. Kernel init as the
 * dense layers' (He for ReLU-like units), from the filter's fans kh·kw·in and kh·kw·out.
 */
function cnnOf(config: ModelConfig, outputs: number, seed: number): ModelDefinition<FloatTensor> {
  const act = activations[config.activation];
  const names = layerNames(config);
  const convs = config.channels.length;
  return defineModel((x: FloatTensor) => {
    if (x.shape[1] !== imageSide * imageSide)
      throw new Error(`--model cnn: expected ${imageSide}×${imageSide} images (${imageSide * imageSide} features), got ${String(x.shape[1])} features`);
    let h = x.reshape([x.shape[0], imageSide, imageSide, 1]) as FloatTensor;
    config.channels.forEach((filters, i) => {
      const conv = conv2d(h, filters, { name: names[i], kernelSize: config.kernel, padding: "same", init: kernelInit(config, seed, names[i]), activation: act });
      h = maxPool2d(conv.output as FloatTensor, 2) as FloatTensor;
    });
    h = flatten()(h) as FloatTensor;
    h = dense(h, config.dense, { name: names[convs], init: kernelInit(config, seed, names[convs]), activation: act }).output;
    if (config.dropout > 0) h = dropout(h, { rate: config.dropout, seed }).output;
    return dense(h, outputs, { name: names[convs + 1], init: kernelInit(config, seed, names[convs + 1]) }).output;
  });
}
