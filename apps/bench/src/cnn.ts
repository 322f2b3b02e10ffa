import { denseParams, heUniform } from "./init.ts";
import type { BenchConfig, ParamData } from "./problem.ts";

/**
 * The CNN of issue 15's bench: `convs.length` stages of conv k×k ("same" padding,
 * stride 1) → relu → max pool p×p (stride p), then the dense layers of the
 * config's `layers` (the first entry is the flattened size), relu between them,
 * mean softmax cross-entropy. Images are NHWC, one row of `x` per example.
 */
export interface CnnSpec {
  /** [height, width, channels] of one input image. */
  readonly image: readonly [number, number, number];
  readonly kernel: number;
  /** Output channels of each conv stage. */
  readonly convs: readonly number[];
  readonly pool: number;
}

export interface CnnConfig extends BenchConfig {
  readonly cnn: CnnSpec;
}

export const isCnn = (c: BenchConfig): c is CnnConfig => c.cnn !== undefined;

/** Spatial size after the stages ("same" convs keep it, each pool floors it by p). */
export function cnnFeatureSize(spec: CnnSpec): { h: number; w: number; c: number } {
  let [h, w] = spec.image;
  for (let i = 0; i < spec.convs.length; i++) {
    h = Math.floor(h / spec.pool);
    w = Math.floor(w / spec.pool);
  }
  return { h, w, c: spec.convs[spec.convs.length - 1] };
}

/** A CNN config: the dense widths after the flattened features, e.g. [128, 10]. */
export function cnnConfig(id: string, spec: CnnSpec, dense: readonly number[], batch: number, optimizer: "sgd" | "adam"): CnnConfig {
  const { h, w, c } = cnnFeatureSize(spec);
  return { id, cnn: spec, layers: [h * w * c, ...dense], batch, optimizer };
}

/**
 * Issue 15's config: 28×28×1 → conv 5×5×32 → pool 2 → conv 5×5×64 → pool 2 →
 * 3136-128-10, batch 128, Adam. Opt-in (`--configs cnn-b128-adam`): its peers take
 * seconds to minutes per step.
 */
export const cnnConfigs: readonly CnnConfig[] = [cnnConfig("cnn-b128-adam", { image: [28, 28, 1], kernel: 5, convs: [32, 64], pool: 2 }, [128, 10], 128, "adam")];

/** A tiny CNN for tests: odd image (9×7, so pooling floors), two channels in, milliseconds per step. */
export const tinyCnnConfig = (optimizer: "sgd" | "adam"): CnnConfig =>
  cnnConfig(`tiny-cnn-${optimizer}`, { image: [9, 7, 2], kernel: 3, convs: [3, 4], pool: 2 }, [5, 3], 3, optimizer);

/**
 * Contenders left out of a CNN config unless `--slow-peers` is given, and why:
 * tfjs-cpu's conv kernels are plain JS loops (~364 s per step of cnn-b128-adam here).
 */
export const cnnSlowPeers: Readonly<Record<string, string>> = {
  "tfjs-cpu": "tfjs-cpu takes ~6 minutes per CNN step (plain JS conv loops); pass --slow-peers to run it",
};

export function describeCnn(c: CnnConfig): string {
  const { image, kernel, convs, pool } = c.cnn;
  const stages = convs.map((o) => `conv ${kernel}×${kernel}×${o} → pool ${pool}`).join(" → ");
  return `${image.join("×")} → ${stages} → ${c.layers.join("-")}, batch ${c.batch}, ${c.optimizer === "sgd" ? "SGD" : "Adam"}`;
}

/**
 * The initial params in layer order: conv filters [k, k, in, out] (HWIO, graph's
 * layout) and biases, then dense W [in, out] and b. He-uniform from each fan-in
 * (k·k·in for a filter), zero biases.
 */
export function cnnParams(c: CnnConfig, random: () => number): ParamData[] {
  const params: ParamData[] = [];
  const { kernel: k, convs } = c.cnn;
  let inC = c.cnn.image[2];
  convs.forEach((out, i) => {
    const shape = [k, k, inC, out];
    params.push({ name: `F${i + 1}`, shape, data: heUniform(shape, k * k * inC, random) });
    params.push({ name: `c${i + 1}`, shape: [out], data: new Float32Array(out) });
    inC = out;
  });
  params.push(...denseParams(c.layers, random));
  return params;
}

/**
 * Multiply-adds ×2 of one step: each conv forward, its filter gradient and (except
 * the first, whose input is data) its input gradient; each dense layer's forward,
 * dW and dX (all of them: a conv stage lies below).
 */
export function cnnStepFlops(c: CnnConfig): number {
  const { image, kernel: k, convs, pool } = c.cnn;
  let [h, w, inC] = image;
  let flops = 0;
  convs.forEach((out, i) => {
    const macs = c.batch * h * w * k * k * inC * out;
    flops += 2 * macs * (i === 0 ? 2 : 3);
    h = Math.floor(h / pool);
    w = Math.floor(w / pool);
    inC = out;
  });
  for (let l = 0; l + 1 < c.layers.length; l++) flops += 2 * c.batch * c.layers[l] * c.layers[l + 1] * 3;
  return flops;
}
