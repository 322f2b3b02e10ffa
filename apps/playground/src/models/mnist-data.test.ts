import { describe, expect, it } from "vitest";
import { parseMnistAsset, pixels } from "./mnist-data.ts";

function asset(train: number, test: number, label = 3): Uint8Array {
  const bytes = new Uint8Array(12 + (train + test) * (pixels + 1));
  bytes.set([0x47, 0x46, 0x4d, 0x31]);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, train, true);
  view.setUint32(8, test, true);
  bytes[12] = 255; // first train pixel
  bytes[12 + train * pixels] = label; // first train label
  return bytes;
}

describe("parseMnistAsset", () => {
  it("splits pixels scaled to [0, 1] and labels", () => {
    const { train, test } = parseMnistAsset(asset(2, 1));
    expect([train.count, test.count]).toEqual([2, 1]);
    expect(train.x.length).toBe(2 * pixels);
    expect(train.x[0]).toBe(1);
    expect(train.x[1]).toBe(0);
    expect(Array.from(train.y)).toEqual([3, 0]);
  });

  it("names what it expected for a wrong header, a wrong length, a label out of range", () => {
    expect(() => parseMnistAsset(new Uint8Array(4))).toThrow(/expected the "GFM1" header/);
    expect(() => parseMnistAsset(asset(2, 1).subarray(0, 100))).toThrow(/2 train \+ 1 test images need 2367 bytes, got 100/);
    expect(() => parseMnistAsset(asset(1, 0, 10))).toThrow(/label 0 is 10, expected a digit 0-9/);
  });

  it("accepts an empty split", () => {
    const { train, test } = parseMnistAsset(asset(0, 0));
    expect([train.count, test.count, train.x.length]).toEqual([0, 0, 0]);
  });
});
