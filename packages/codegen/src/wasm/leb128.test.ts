import { describe, expect, it } from "vitest";
import { encodeName, f32Bytes, signedLeb128, unsignedLeb128 } from "./leb128.ts";

describe("LEB128", () => {
  it("encodes unsigned values as the spec's examples", () => {
    expect(unsignedLeb128(0)).toEqual([0x00]);
    expect(unsignedLeb128(127)).toEqual([0x7f]);
    expect(unsignedLeb128(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb128(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb128(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it("encodes signed values with sign extension", () => {
    expect(signedLeb128(0)).toEqual([0x00]);
    expect(signedLeb128(63)).toEqual([0x3f]);
    expect(signedLeb128(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb128(-1)).toEqual([0x7f]);
    expect(signedLeb128(-64)).toEqual([0x40]);
    expect(signedLeb128(-65)).toEqual([0xbf, 0x7f]);
    expect(signedLeb128(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(signedLeb128(-0x80000000)).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  it("round-trips through a decoder for many values", () => {
    const decodeSigned = (bytes: number[]) => {
      let result = 0,
        shift = 0,
        byte = 0,
        i = 0;
      do {
        byte = bytes[i++];
        result |= (byte & 0x7f) << shift;
        shift += 7;
      } while (byte & 0x80);
      if (shift < 32 && byte & 0x40) result |= -1 << shift;
      return result;
    };
    for (const v of [1, -2, 1000, -1000, 2 ** 20, -(2 ** 20), 2 ** 31 - 1, -(2 ** 31)]) expect(decodeSigned(signedLeb128(v))).toBe(v);
  });

  it("rejects values outside the encodable range", () => {
    expect(() => unsignedLeb128(-1)).toThrow(RangeError);
    expect(() => unsignedLeb128(2 ** 32)).toThrow(RangeError);
    expect(() => signedLeb128(2 ** 31)).toThrow(RangeError);
    expect(() => signedLeb128(0.5)).toThrow(RangeError);
  });

  it("encodes f32 little-endian and names as length-prefixed UTF-8", () => {
    expect(f32Bytes(1)).toEqual([0x00, 0x00, 0x80, 0x3f]);
    expect(encodeName("env")).toEqual([3, 0x65, 0x6e, 0x76]);
    expect(encodeName("é")).toEqual([2, 0xc3, 0xa9]);
  });
});
