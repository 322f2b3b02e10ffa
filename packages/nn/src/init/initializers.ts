import { fanOf, type FanMode } from "./fans.ts";
import { createRng, type RandomStream } from "./prng.ts";

/**
 * An initializer makes a param's first value from its shape. It is a plain
 * function, so it is accepted wherever @gradfold/graph takes a `ParamInit`:
 * `param("W", [784, 256], { init: heNormal({ seed: 1 }) })`.
 * Every random initializer is deterministic: the same seed and shape give the
 * same values on every call and every platform (see prng.ts for the algorithm).
 */
export type Initializer = (shape: readonly number[]) => Float32Array;

export interface SeedOptions {
  /** Seed of the PRNG stream; defaults to 0. */
  seed?: number;
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function fill(shape: readonly number[], next: () => number): Float32Array {
  const out = new Float32Array(count(shape));
  for (let i = 0; i < out.length; i++) out[i] = next();
  return out;
}

function checkPositive(what: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`${what} must be a positive finite number, got ${value}`);
}

export const zeros = (): Initializer => (shape) => new Float32Array(count(shape));

export const ones = (): Initializer => (shape) => new Float32Array(count(shape)).fill(1);

export const constantInit =
  (value: number): Initializer =>
  (shape) =>
    new Float32Array(count(shape)).fill(value);

/** N(mean, std²). */
export function normal(options: SeedOptions & { mean?: number; std?: number } = {}): Initializer {
  const { mean = 0, std = 1, seed = 0 } = options;
  checkPositive("normal: std", std);
  return (shape) => {
    const rng = createRng(seed);
    return fill(shape, () => mean + std * rng.normal());
  };
}

/** U[min, max). */
export function uniform(options: SeedOptions & { min?: number; max?: number } = {}): Initializer {
  const { min = -0.05, max = 0.05, seed = 0 } = options;
  if (!(max > min)) throw new Error(`uniform: expected min < max, got min=${min}, max=${max}`);
  return (shape) => {
    const rng = createRng(seed);
    return fill(shape, () => min + (max - min) * rng.uniform());
  };
}

/** A normal draw rejected and redrawn until it falls within `bound` standard deviations. */
function truncatedDraw(rng: RandomStream, bound: number): number {
  for (;;) {
    const z = rng.normal();
    if (Math.abs(z) <= bound) return z;
  }
}

/**
 * N(mean, std²) truncated to mean ± bound·std by rejection (bound 2 as Keras'
 * TruncatedNormal). The result's standard deviation is below `std`: ≈0.88·std for
 * bound 2, since the tails are cut off.
 */
export function truncatedNormal(options: SeedOptions & { mean?: number; std?: number; bound?: number } = {}): Initializer {
  const { mean = 0, std = 1, bound = 2, seed = 0 } = options;
  checkPositive("truncatedNormal: std", std);
  checkPositive("truncatedNormal: bound", bound);
  return (shape) => {
    const rng = createRng(seed);
    return fill(shape, () => mean + std * truncatedDraw(rng, bound));
  };
}

/** A variance-scaling initializer: Var(w) = gain² / fan (the family Glorot, He and LeCun are members of). */
export interface VarianceScalingOptions extends SeedOptions {
  mode?: FanMode;
  gain?: number;
  distribution?: "normal" | "uniform" | "truncatedNormal";
}

/** Std of the truncated standard normal on [−2, 2], to rescale truncated draws back to unit variance. */
const TRUNCATED_STD_2 = 0.8796256610342398;

export function varianceScaling(options: VarianceScalingOptions = {}): Initializer {
  const { mode = "fanIn", gain = 1, distribution = "normal", seed = 0 } = options;
  checkPositive("varianceScaling: gain", gain);
  return (shape) => {
    const std = gain / Math.sqrt(fanOf(shape, mode));
    const rng = createRng(seed);
    if (distribution === "uniform") {
      const limit = Math.sqrt(3) * std; // U[-a, a] has variance a²/3
      return fill(shape, () => limit * (2 * rng.uniform() - 1));
    }
    if (distribution === "truncatedNormal") return fill(shape, () => (std / TRUNCATED_STD_2) * truncatedDraw(rng, 2));
    return fill(shape, () => std * rng.normal());
  };
}

/**
 * Glorot & Bengio (2010), "Understanding the difficulty of training deep
 * feedforward neural networks": Var(w) = gain²·2/(fanIn + fanOut).
 * Normal with that variance (as PyTorch's xavier_normal_, not Keras' truncated one).
 */
export const glorotNormal = (options: SeedOptions & { gain?: number } = {}): Initializer => varianceScaling({ ...options, mode: "fanAvg", distribution: "normal" });

/** Glorot uniform: U[−a, a] with a = gain·√(6/(fanIn + fanOut)). */
export const glorotUniform = (options: SeedOptions & { gain?: number } = {}): Initializer => varianceScaling({ ...options, mode: "fanAvg", distribution: "uniform" });

export interface HeOptions extends SeedOptions {
  /** "fanIn" keeps forward activations' variance, "fanOut" the backward gradients'. Default fanIn. */
  mode?: "fanIn" | "fanOut";
  /** Overrides the gain; default √(2/(1 + negativeSlope²)), PyTorch's gain for (leaky) ReLU. */
  gain?: number;
  /** Slope of a leaky ReLU's negative side; 0 for ReLU. */
  negativeSlope?: number;
}

const heGain = ({ gain, negativeSlope = 0 }: HeOptions) => gain ?? Math.sqrt(2 / (1 + negativeSlope * negativeSlope));

/**
 * He et al. (2015), "Delving Deep into Rectifiers" (Kaiming): N(0, gain²/fan) with
 * gain √2 for ReLU.
 */
export const heNormal = (options: HeOptions = {}): Initializer =>
  varianceScaling({ seed: options.seed, mode: options.mode ?? "fanIn", gain: heGain(options), distribution: "normal" });

/** He uniform: U[−a, a] with a = gain·√(3/fan). */
export const heUniform = (options: HeOptions = {}): Initializer =>
  varianceScaling({ seed: options.seed, mode: options.mode ?? "fanIn", gain: heGain(options), distribution: "uniform" });

/** LeCun et al. (1998), "Efficient BackProp": N(0, 1/fanIn), the SELU/tanh choice. */
export const lecunNormal = (options: SeedOptions = {}): Initializer => varianceScaling({ ...options, mode: "fanIn", distribution: "normal" });

/** LeCun uniform: U[−a, a] with a = √(3/fanIn). */
export const lecunUniform = (options: SeedOptions = {}): Initializer => varianceScaling({ ...options, mode: "fanIn", distribution: "uniform" });
