/** The playground's MNIST subset, inflated and split (see build/mnist-asset.ts for the layout). */
export interface MnistSplit {
  /** Pixels scaled to [0, 1], 784 per image. */
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
}

export const pixels = 784;

/** Parses the asset's bytes; throws naming what was expected when they do not fit. */
export function parseMnistAsset(bytes: Uint8Array): { train: MnistSplit; test: MnistSplit } {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < 12 || magic !== "GFM1") throw new Error(`MNIST asset: expected the "GFM1" header, got ${JSON.stringify(magic)} (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const train = view.getUint32(4, true);
  const test = view.getUint32(8, true);
  const expected = 12 + (train + test) * (pixels + 1);
  if (bytes.length !== expected) throw new Error(`MNIST asset: ${train} train + ${test} test images need ${expected} bytes, got ${bytes.length}`);
  let offset = 12;
  const split = (count: number): MnistSplit => {
    const x = new Float32Array(count * pixels);
    for (let i = 0; i < x.length; i++) x[i] = bytes[offset + i] / 255;
    offset += count * pixels;
    const y = Int32Array.from(bytes.subarray(offset, offset + count));
    offset += count;
    for (let i = 0; i < count; i++) if (y[i] > 9) throw new Error(`MNIST asset: label ${i} is ${y[i]}, expected a digit 0-9`);
    return { x, y, count };
  };
  return { train: split(train), test: split(test) };
}

/**
 * Fetches and inflates the gzip asset with the browser's DecompressionStream. A server
 * that already decoded it (Content-Encoding: gzip) hands over the raw bytes, which
 * then lack gzip's 1f 8b magic and are parsed as they are.
 */
export async function loadMnist(url: string): Promise<{ train: MnistSplit; test: MnistSplit }> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`MNIST asset: GET ${url} answered ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return parseMnistAsset(bytes);
  const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return parseMnistAsset(new Uint8Array(await new Response(inflated).arrayBuffer()));
}
