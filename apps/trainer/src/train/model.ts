import { param, type AnyTensor } from "@gradfold/graph";
import type { Rng } from "../rng.ts";

export const activations = {
  relu: (x: AnyTensor) => x.relu(),
  tanh: (x: AnyTensor) => x.tanh(),
  sigmoid: (x: AnyTensor) => x.sigmoid(),
  gelu: (x: AnyTensor) => x.gelu(),
  elu: (x: AnyTensor) => x.elu(),
  "leaky-relu": (x: AnyTensor) => x.leakyRelu(0.01),
} satisfies Record<string, (x: AnyTensor) => AnyTensor>;
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

export interface Layer {
  readonly name: string;
  readonly weight: AnyTensor;
  readonly bias: AnyTensor;
}

export interface Model {
  readonly layers: readonly Layer[];
  readonly params: readonly AnyTensor[];
  /** Hidden widths that take a dropout mask, in order (one mask input per entry). */
  readonly dropoutWidths: readonly number[];
  /** Builds the network on `x`; with `masks`, multiplies each hidden activation by its (scaled) dropout mask. */
  forward(x: AnyTensor, masks?: readonly AnyTensor[]): AnyTensor;
}

function initStd(init: InitName, activation: ActivationName, fanIn: number, fanOut: number): number {
  const kind = init === "auto" ? (activation === "relu" || activation === "leaky-relu" || activation === "gelu" || activation === "elu" ? "he" : "glorot") : init;
  if (typeof kind === "number") return kind;
  return { he: Math.sqrt(2 / fanIn), glorot: Math.sqrt(2 / (fanIn + fanOut)), lecun: Math.sqrt(1 / fanIn) }[kind];
}

function dense(name: string, fanIn: number, fanOut: number, std: number, rng: Rng): Layer {
  const w = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
  return { name, weight: param(`${name}.weight`, [fanIn, fanOut], { init: w }), bias: param(`${name}.bias`, [fanOut], { init: 0 }) };
}

const affine = (layer: Layer, x: AnyTensor) => x.matmul(layer.weight).add(layer.bias);

/**
 * An MLP (inputs → hidden layers with `activation` → outputs) or a residual network
 * (inputs → width, then `depth` blocks h + act(dense(h)), then outputs). Weights
 * are drawn from `rng` in layer order, so a seed fixes them.
 */
export function buildModel(config: ModelConfig, inputs: number, outputs: number, rng: Rng): Model {
  const act = activations[config.activation];
  const std = (fanIn: number, fanOut: number) => initStd(config.init, config.activation, fanIn, fanOut);
  const layers: Layer[] = [];
  if (config.model === "mlp") {
    const widths = [inputs, ...config.layers, outputs];
    for (let i = 0; i + 1 < widths.length; i++) layers.push(dense(`dense${i + 1}`, widths[i], widths[i + 1], std(widths[i], widths[i + 1]), rng));
    const hidden = config.layers.length;
    return {
      layers,
      params: layers.flatMap((l) => [l.weight, l.bias]),
      dropoutWidths: config.dropout > 0 ? config.layers : [],
      forward(x, masks) {
        let h = x;
        for (let i = 0; i < hidden; i++) {
          h = act(affine(layers[i], h));
          if (masks) h = h.mul(masks[i]);
        }
        return affine(layers[hidden], h);
      },
    };
  }
  const { depth, width } = config;
  layers.push(dense("stem", inputs, width, std(inputs, width), rng));
  // Residual branches start smaller so the sum of `depth` of them keeps the scale of h.
  for (let i = 0; i < depth; i++) layers.push(dense(`block${i + 1}`, width, width, std(width, width) / Math.sqrt(depth), rng));
  layers.push(dense("head", width, outputs, std(width, outputs), rng));
  return {
    layers,
    params: layers.flatMap((l) => [l.weight, l.bias]),
    dropoutWidths: config.dropout > 0 ? Array.from({ length: depth }, () => width) : [],
    forward(x, masks) {
      let h = act(affine(layers[0], x));
      for (let i = 1; i <= depth; i++) {
        let branch = act(affine(layers[i], h));
        if (masks) branch = branch.mul(masks[i - 1]);
        h = h.add(branch);
      }
      return affine(layers[depth + 1], h);
    },
  };
}
