/**
 * LEB128 integer encodings used throughout the WebAssembly binary format
 * (https://webassembly.github.io/spec/core/binary/values.html#integers).
 */

/** Unsigned LEB128 of a non-negative integer below 2^32 (section sizes, indices, offsets). */
export function unsignedLeb128(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`unsignedLeb128: expected an integer in [0, 2^32), got ${value}`);
  }
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

/** Signed LEB128 of an integer in the i32 range (the immediate of `i32.const`). */
export function signedLeb128(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new RangeError(`signedLeb128: expected an i32, got ${value}`);
  }
  const out: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    // Done once the remaining bits are all copies of the sign bit of `byte`.
    const signBitSet = (byte & 0x40) !== 0;
    if ((rest === 0 && !signBitSet) || (rest === -1 && signBitSet)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Little-endian IEEE-754 single precision bytes (the immediate of `f32.const`). */
export function f32Bytes(value: number): number[] {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value, true);
  return [view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3)];
}

/** A name as the binary format stores it: byte length, then UTF-8 bytes. */
export function encodeName(name: string): number[] {
  const utf8 = Array.from(new TextEncoder().encode(name));
  return [...unsignedLeb128(utf8.length), ...utf8];
}
