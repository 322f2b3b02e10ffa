import { mulberry32 } from "@gradfold/graph";

/** Two-class 2-D points: x holds (x, y) pairs, y the class 0/1. */
export interface Points {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
}

export const datasetNames = ["spirals", "circles", "xor", "blobs"] as const;
export type DatasetName = (typeof datasetNames)[number];

type Sampler = (random: () => number, gauss: () => number, label: number, noise: number) => [number, number];

/** Each dataset draws one point of a class, in a box of about [−1, 1]². */
const samplers: Record<DatasetName, Sampler> = {
  spirals: (random, gauss, label, noise) => {
    const t = 0.25 + 3 * Math.PI * random();
    const r = t / (3 * Math.PI + 0.25);
    const a = t + label * Math.PI;
    return [r * Math.cos(a) + noise * gauss() * 0.1, r * Math.sin(a) + noise * gauss() * 0.1];
  },
  circles: (random, gauss, label, noise) => {
    const a = 2 * Math.PI * random();
    const r = label === 0 ? 0.35 * Math.sqrt(random()) : 0.65 + 0.3 * random();
    return [r * Math.cos(a) + noise * gauss() * 0.1, r * Math.sin(a) + noise * gauss() * 0.1];
  },
  xor: (random, gauss, label, noise) => {
    const sx = random() < 0.5 ? -1 : 1;
    const sy = label === 0 ? sx : -sx;
    return [sx * (0.1 + 0.8 * random()) + noise * gauss() * 0.1, sy * (0.1 + 0.8 * random()) + noise * gauss() * 0.1];
  },
  blobs: (_random, gauss, label, noise) => {
    const c = label === 0 ? -0.4 : 0.4;
    return [c + (0.15 + noise * 0.25) * gauss(), c + (0.15 + noise * 0.25) * gauss()];
  },
};

/** `count` points, half of each class, deterministic in `seed`; `noise` 0 (clean) to 1 (heavy). */
export function makePoints(name: DatasetName, count: number, noise: number, seed: number): Points {
  if (!Number.isInteger(count) || count < 0) throw new Error(`makePoints: count must be a non-negative integer, got ${count}`);
  if (!(noise >= 0)) throw new Error(`makePoints: noise must be ≥ 0, got ${noise}`);
  const random = mulberry32(seed);
  // Box–Muller; 1 − u keeps the logarithm finite.
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const x = new Float32Array(2 * count);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    y[i] = i % 2;
    const [a, b] = samplers[name](random, gauss, y[i], noise);
    x[2 * i] = a;
    x[2 * i + 1] = b;
  }
  return { x, y, count };
}

/** Copies a random batch of `points` (with replacement) into x and y. */
export function sampleBatch(points: Points, random: () => number, x: Float32Array, y: Int32Array): void {
  for (let i = 0; i < y.length; i++) {
    const k = Math.floor(random() * points.count);
    x[2 * i] = points.x[2 * k];
    x[2 * i + 1] = points.x[2 * k + 1];
    y[i] = points.y[k];
  }
}
