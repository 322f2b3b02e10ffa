import type { AnyTensor } from "@gradfold/graph";
import { activations as nnActivations, dense, type FloatTensor } from "@gradfold/nn";
import type { Rng } from "../rng.ts";

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

/** One dense layer of the model: its name and its seeded initial weights. */
export interface LayerPlan {
  readonly name: string;
  readonly units: number;
  readonly init: Float32Array;
}

/** A built network: its output, and its params in layer order (weights, then the bias, per layer). */
export interface Network {
  readonly output: AnyTensor;
  readonly params: readonly AnyTensor[];
  readonly weights: readonly AnyTensor[];
}

export interface Model {
  readonly layers: readonly LayerPlan[];
  /** Hidden widths that take a dropout mask, in order (one mask input per entry). */
  readonly dropoutWidths: readonly number[];
  /**
   * Builds the network on `x` with @gradfold/nn's `dense` layers; with `masks`,
   * multiplies each hidden activation by its (scaled) dropout mask. Each call makes
   * its own param nodes with the same names and initial values, so the training
   * graph and the evaluation graph exchange values by name (step.read/write).
   */
  forward(x: AnyTensor, masks?: readonly AnyTensor[]): Network;
}

/** The name of a layer's weight param, as @gradfold/nn's `dense` names it. */
export const weightName = (layer: LayerPlan) => `${layer.name}/W`;

const reluLike = new Set<ActivationName>(["relu", "leaky-relu", "gelu", "elu", "silu", "softplus"]);

function initStd(init: InitName, activation: ActivationName, fanIn: number, fanOut: number): number {
  const kind = init === "auto" ? (reluLike.has(activation) ? "he" : "glorot") : init;
  if (typeof kind === "number") return kind;
  return { he: Math.sqrt(2 / fanIn), glorot: Math.sqrt(2 / (fanIn + fanOut)), lecun: Math.sqrt(1 / fanIn) }[kind];
}

function plan(name: string, fanIn: number, units: number, std: number, rng: Rng): LayerPlan {
  const init = new Float32Array(fanIn * units);
  for (let i = 0; i < init.length; i++) init[i] = std * rng.normal();
  return { name, units, init };
}

/**
 * An MLP (inputs → hidden layers with `activation` → outputs) or a residual network
 * (inputs → width, then `depth` blocks h + act(dense(h)), then outputs). Weights
 * are drawn from `rng` in layer order, so a seed fixes them.
 */
export function buildModel(config: ModelConfig, inputs: number, outputs: number, rng: Rng): Model {
  const act = activations[config.activation];
  const std = (fanIn: number, fanOut: number) => initStd(config.init, config.activation, fanIn, fanOut);
  const layers: LayerPlan[] = [];
  const collect = () => {
    const params: AnyTensor[] = [];
    const weights: AnyTensor[] = [];
    const apply = (layer: LayerPlan, h: AnyTensor, activation?: (x: FloatTensor) => FloatTensor) => {
      const built = dense(h as FloatTensor, layer.units, { name: layer.name, init: layer.init, activation });
      params.push(...built.params);
      weights.push(built.params[0]);
      return built.output as AnyTensor;
    };
    return { params, weights, apply };
  };

  if (config.model === "mlp") {
    const widths = [inputs, ...config.layers, outputs];
    for (let i = 0; i + 1 < widths.length; i++) layers.push(plan(`dense${i + 1}`, widths[i], widths[i + 1], std(widths[i], widths[i + 1]), rng));
    const hidden = config.layers.length;
    return {
      layers,
      dropoutWidths: config.dropout > 0 ? config.layers : [],
      forward(x, masks) {
        const { params, weights, apply } = collect();
        let h = x;
        for (let i = 0; i < hidden; i++) {
          h = apply(layers[i], h, act);
          if (masks) h = h.mul(masks[i]);
        }
        return { output: apply(layers[hidden], h), params, weights };
      },
    };
  }
  const { depth, width } = config;
  layers.push(plan("stem", inputs, width, std(inputs, width), rng));
  // Residual branches start smaller so the sum of `depth` of them keeps the scale of h.
  for (let i = 0; i < depth; i++) layers.push(plan(`block${i + 1}`, width, width, std(width, width) / Math.sqrt(depth), rng));
  layers.push(plan("head", width, outputs, std(width, outputs), rng));
  return {
    layers,
    dropoutWidths: config.dropout > 0 ? Array.from({ length: depth }, () => width) : [],
    forward(x, masks) {
      const { params, weights, apply } = collect();
      let h = apply(layers[0], x, act);
      for (let i = 1; i <= depth; i++) {
        let branch = apply(layers[i], h, act);
        if (masks) branch = branch.mul(masks[i - 1]);
        h = h.add(branch);
      }
      return { output: apply(layers[depth + 1], h), params, weights };
    },
  };
}
