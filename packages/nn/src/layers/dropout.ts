import { GraphError, input, mul, type Sizes } from "@gradfold/graph";
import { combineSeeds, createRng, hashString } from "../init/prng.ts";
import { layerName, trainingMode } from "./scope.ts";
import { layerOf, type FloatTensor, type Layer, type RandomInput } from "./layer.ts";

export interface DropoutOptions {
  /** Probability p of zeroing an element. */
  rate: number;
  /** Name of the mask input, `${name}/mask`; default "dropout". Unique per dropout layer. */
  name?: string;
  /** Training mode drops; evaluation mode is the identity. Default: the build's mode (see `defineModel`), else true. */
  training?: boolean;
  /** Base seed of the mask stream; default 0. */
  seed?: number;
}

/** n Bernoulli(1 − rate) values in {0, 1}, the mask of step `step` of the stream `seed`. */
export function dropoutMask(n: number, rate: number, seed: number, step: number): Float32Array {
  const rng = createRng(combineSeeds(seed, step));
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) mask[i] = rng.uniform() >= rate ? 1 : 0;
  return mask;
}

/**
 * Inverted dropout (Srivastava et al. 2014): in training, y = x ⊙ m / (1 − p) with
 * m ~ Bernoulli(1 − p) elementwise, so E[y] = x and evaluation needs no rescaling;
 * in evaluation, y = x.
 *
 * Where the randomness comes from: the mask is an extra float32 input named
 * `${name}/mask` of x's shape, listed in the layer's `randomInputs`. The trainer feeds
 * `generate(step, sizes)` (or `randomFeeds(model, step, sizes)`) before every step, so a
 * compiled step sees a fresh mask each step while the graph itself stays a pure
 * function. We chose this over an in-graph PRNG because the graph has no integer bit
 * operations: a float-arithmetic hash would differ between the float64 reference
 * interpreter and float32 generated kernels, so the two could not be checked against
 * each other. The mask stream is seeded by (seed, name, step): reproducible runs,
 * distinct masks per layer, and a resumed run continues the same stream.
 */
export function dropout(x: FloatTensor, options: DropoutOptions): Layer {
  const { rate, seed = 0 } = options;
  const name = layerName("dropout", options.name);
  const training = options.training ?? trainingMode() ?? true;
  if (!(rate >= 0 && rate < 1)) throw new GraphError(`dropout ${JSON.stringify(name)}: rate must be in [0, 1), got ${rate}`);
  if (!training || rate === 0) return layerOf(x);
  const mask = input(`${name}/mask`, x.shape) as FloatTensor;
  const streamSeed = combineSeeds(seed, hashString(name));
  const random: RandomInput = {
    input: mask,
    generate(step: number, sizes: Sizes = {}): Float32Array {
      const n = x.shape.reduce<number>((acc, d) => {
        const size = typeof d === "number" ? d : sizes[d];
        if (size === undefined) throw new GraphError(`dropout ${JSON.stringify(name)}: the mask needs the size of ${JSON.stringify(d)}; pass sizes`);
        return acc * size;
      }, 1);
      return dropoutMask(n, rate, streamSeed, step);
    },
  };
  return layerOf(mul(mul(x, mask), 1 / (1 - rate)) as FloatTensor, [{ randomInputs: [random] }]);
}
