/**
 * The safetensors file format (huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON `{ name: { dtype, shape, data_offsets: [begin, end] },
 * "__metadata__"?: { string: string } }` (space-padded), then the tensors' little-endian
 * bytes, offsets relative to the end of the header, contiguous and in order.
 *
 * No npm library for the format was both maintained and browser-safe when this was
 * written, so this is a small reader/writer of our own, checked as strictly as the
 * reference implementation (overlaps, gaps, sizes) and tested against its bytes.
 */

/** The dtypes this reader knows, with their element sizes in bytes. */
const dtypeBytes = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1 } as const;
export type SafetensorsDtype = keyof typeof dtypeBytes;

export interface SafetensorsTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** The tensor's raw little-endian bytes (a view into the file). */
  readonly bytes: Uint8Array;
}

export interface SafetensorsFile {
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

// TextEncoder and TextDecoder exist in browsers and Node alike; the ES lib we compile against does not declare them.
const web = globalThis as unknown as {
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };
};

const MAX_HEADER = 100_000_000; // the reference implementation's limit

const numel = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

/** A file of float32 tensors (names sorted, so the same weights give the same bytes). */
export function encodeSafetensors(tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__") throw new Error(`safetensors: "__metadata__" cannot name a tensor`);
    const { shape, data } = tensors.get(name)!;
    if (numel(shape) !== data.length) throw new Error(`safetensors: tensor ${JSON.stringify(name)} has ${data.length} values but shape ${JSON.stringify(shape)}`);
    header[name] = { dtype: "F32", shape: [...shape], data_offsets: [offset, offset + data.length * 4] };
    offset += data.length * 4;
  }
  const utf8 = new web.TextEncoder();
  const text = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  const json = utf8.encode(text + " ".repeat((8 - (utf8.encode(text).length % 8)) % 8));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    for (const v of tensors.get(name)!.data) {
      view.setFloat32(at, v, true);
      at += 4;
    }
  }
  return out;
}

const fail = (problem: string): never => {
  throw new Error(`safetensors: ${problem}`);
};

/** Parses and checks a file: header, dtypes, shapes, and that the offsets tile the data exactly. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array, got ${bytes === null ? "null" : typeof bytes}`);
  if (bytes.length < 8) fail(`expected at least 8 bytes (the header length), got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) fail(`header length ${headerLength} exceeds the ${bytes.length - 8} bytes after it`);
  const start = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new web.TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, start)));
  } catch (error) {
    fail(`header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) fail("header must be a JSON object");
  const entries = Object.entries(header as Record<string, unknown>);
  const metadata: Record<string, string> = {};
  const tensors: [string, { dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }][] = [];
  for (const [name, entry] of entries) {
    if (name === "__metadata__") {
      if (entry === null || typeof entry !== "object" || Array.isArray(entry)) fail("__metadata__ must be an object of strings");
      for (const [k, v] of Object.entries(entry as object)) {
        if (typeof v !== "string") fail(`__metadata__ ${JSON.stringify(k)} must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const what = `tensor ${JSON.stringify(name)}`;
    if (typeof e?.dtype !== "string" || !Object.hasOwn(dtypeBytes, e.dtype)) fail(`${what}: unknown dtype ${JSON.stringify(e?.dtype)}`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      fail(`${what}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
      fail(`${what}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(offsets)}`);
    }
    const dtype = e.dtype as SafetensorsDtype;
    const [begin, end] = offsets as number[];
    if (end - begin !== numel(shape as number[]) * dtypeBytes[dtype]) {
      fail(`${what}: ${dtype}${JSON.stringify(shape)} needs ${numel(shape as number[]) * dtypeBytes[dtype]} bytes, data_offsets give ${end - begin}`);
    }
    tensors.push([name, { dtype, shape: shape as number[], begin, end }]);
  }
  // The tensors must tile the data: sorted by offset, each starts where the previous ended, the last ends at the file's end.
  const byOffset = [...tensors].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  let expected = 0;
  for (const [name, t] of byOffset) {
    if (t.begin !== expected) fail(`tensor ${JSON.stringify(name)} starts at byte ${t.begin}, expected ${expected} (a gap or an overlap)`);
    expected = t.end;
  }
  if (start + expected !== bytes.length) fail(`the tensors cover ${expected} bytes of data, the file has ${bytes.length - start}`);
  return {
    tensors: new Map(tensors.map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape, bytes: bytes.subarray(start + t.begin, start + t.end) }])),
    metadata,
  };
}

/** A tensor's values as float32 (F32 only: other dtypes are the caller's mismatch to report). */
export function float32Of(tensor: SafetensorsTensor): Float32Array {
  if (tensor.dtype !== "F32") fail(`expected dtype F32, got ${tensor.dtype}`);
  const view = new DataView(tensor.bytes.buffer, tensor.bytes.byteOffset, tensor.bytes.byteLength);
  const out = new Float32Array(tensor.bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
