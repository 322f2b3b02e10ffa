import { gunzipSync } from "node:zlib";

/**
 * The IDX format of the MNIST files (LeCun et al.): a 4-byte magic — two zero bytes,
 * an element type code, the number of dimensions — then each dimension as a
 * big-endian uint32, then the data in row-major order, big-endian.
 */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly type: IdxType;
  /** Elements as numbers; uint8 data keeps its Uint8Array. */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

export type IdxType = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";

const types: Record<number, { name: IdxType; bytes: number }> = {
  8: { name: "uint8", bytes: 1 },
  9: { name: "int8", bytes: 1 },
  11: { name: "int16", bytes: 2 },
  12: { name: "int32", bytes: 4 },
  13: { name: "float32", bytes: 4 },
  14: { name: "float64", bytes: 8 },
};

export class IdxError extends Error {
  override name = "IdxError";
}

/** Parses an IDX file (gzip-compressed or not), checking magic, dimensions and length. */
export function parseIdx(bytes: Uint8Array, source = "IDX data"): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new IdxError(`${source}: gzip data is corrupt (${(err as Error).message})`);
    }
  }
  if (bytes.length < 4) throw new IdxError(`${source}: ${bytes.length} bytes is too short for an IDX header (needs at least 4)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxError(`${source}: not an IDX file: magic starts ${hex(bytes[0])} ${hex(bytes[1])}, expected 0x00 0x00`);
  }
  const type = types[bytes[2]];
  if (!type) throw new IdxError(`${source}: unknown IDX element type ${hex(bytes[2])} (expected one of 0x08 0x09 0x0b 0x0c 0x0d 0x0e)`);
  const rank = bytes[3];
  if (rank === 0) throw new IdxError(`${source}: IDX header declares 0 dimensions`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new IdxError(`${source}: truncated header: ${rank} dimensions need ${headerBytes} bytes, file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? "truncated" : "has trailing bytes";
    throw new IdxError(`${source}: ${what}: dims [${dims.join(", ")}] of ${type.name} need ${expected} bytes, file has ${bytes.length}`);
  }
  return { dims, type: type.name, data: readElements(view, headerBytes, count, type.name) };
}

/** How to read each element type: a typed array to fill and its big-endian DataView getter. */
const readers = {
  uint8: { Out: Uint8Array, get: (v: DataView, o: number) => v.getUint8(o) },
  int8: { Out: Int8Array, get: (v: DataView, o: number) => v.getInt8(o) },
  int16: { Out: Int16Array, get: (v: DataView, o: number) => v.getInt16(o, false) },
  int32: { Out: Int32Array, get: (v: DataView, o: number) => v.getInt32(o, false) },
  float32: { Out: Float32Array, get: (v: DataView, o: number) => v.getFloat32(o, false) },
  float64: { Out: Float64Array, get: (v: DataView, o: number) => v.getFloat64(o, false) },
} satisfies Record<IdxType, { Out: { new (n: number): IdxArray["data"]; BYTES_PER_ELEMENT: number }; get: (v: DataView, o: number) => number }>;

function readElements(view: DataView, offset: number, count: number, type: IdxType): IdxArray["data"] {
  const { Out, get } = readers[type];
  // Single bytes need no byte-order handling: copy them in one go (MNIST's 47 MB of pixels).
  if (Out.BYTES_PER_ELEMENT === 1) {
    const raw = new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
    return type === "uint8" ? raw : new Int8Array(raw.buffer);
  }
  const out = new Out(count);
  for (let i = 0; i < count; i++) out[i] = get(view, offset + i * Out.BYTES_PER_ELEMENT);
  return out;
}

/** Writes an IDX file (used by tests and to make small fixtures). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function hex(b: number): string {
  return `0x${b.toString(16).padStart(2, "0")}`;
}
