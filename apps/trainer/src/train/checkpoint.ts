import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";
import { type FileLayer, nodeFiles, writeFileDurable } from "../io/durable-write.ts";

/**
 * A checkpoint file, little-endian:
 *   magic "GFCKPT\r\n" (8 bytes; the CR LF catches text-mode mangling)
 *   version u32 · header length u32 · header (JSON, UTF-8)
 *   tensor data: float32 values of each tensor, in header order
 *   CRC-32 u32 of everything before it
 * The header holds the tensor table (name, length) and the run state (`meta`).
 */
export const checkpointMagic = "GFCKPT\r\n";
/**
 * 2: the run state of a trainer that trains through @gradfold/train's fit() (no RNG
 * states: batch order and dropout masks come from the seed and the step), with the
 * model's own param and optimizer slot names. Version 1 (the trainer's own loop) is refused.
 */
export const checkpointVersion = 2;

export class CheckpointError extends Error {
  override name = "CheckpointError";
}

export interface Checkpoint<Meta> {
  readonly meta: Meta;
  readonly tensors: ReadonlyMap<string, Float32Array>;
}

export function encodeCheckpoint<Meta>(meta: Meta, tensors: ReadonlyMap<string, Float32Array>): Uint8Array {
  const table = [...tensors].map(([name, data]) => ({ name, length: data.length }));
  const header = new TextEncoder().encode(JSON.stringify({ meta, tensors: table }));
  const dataBytes = table.reduce((n, t) => n + 4 * t.length, 0);
  const out = new Uint8Array(16 + header.length + dataBytes + 4);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(checkpointMagic), 0);
  view.setUint32(8, checkpointVersion, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  let offset = 16 + header.length;
  for (const data of tensors.values()) {
    for (let i = 0; i < data.length; i++, offset += 4) view.setFloat32(offset, data[i], true);
  }
  view.setUint32(offset, crc32(out.subarray(0, offset)), true);
  return out;
}

export function decodeCheckpoint<Meta>(bytes: Uint8Array, source = "checkpoint"): Checkpoint<Meta> {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (bytes.length < 8 || magic !== checkpointMagic) {
    throw new CheckpointError(`${source}: not a gradfold checkpoint (magic ${JSON.stringify(magic)}, expected ${JSON.stringify(checkpointMagic)})`);
  }
  if (bytes.length < 20) throw new CheckpointError(`${source}: truncated: ${bytes.length} bytes, a checkpoint has at least 20`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version === 1) {
    throw new CheckpointError(
      `${source}: checkpoint format version 1, written by an older gradfold-train (its own training loop); this trainer reads version ${checkpointVersion} ` +
        "(training through @gradfold/train's fit(), another batch order and dropout stream), so it cannot continue that run exactly; start a new run with --out",
    );
  }
  if (version !== checkpointVersion) {
    throw new CheckpointError(`${source}: checkpoint format version ${version}, this trainer reads version ${checkpointVersion}`);
  }
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength + 4 > bytes.length) {
    throw new CheckpointError(`${source}: truncated: header says ${headerLength} bytes, only ${bytes.length - 20} are there`);
  }
  let header: { meta: Meta; tensors: { name: string; length: number }[] };
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(16, 16 + headerLength)));
  } catch (err) {
    throw new CheckpointError(`${source}: corrupt header (${(err as Error).message})`);
  }
  const dataBytes = header.tensors.reduce((n, t) => n + 4 * t.length, 0);
  const expected = 16 + headerLength + dataBytes + 4;
  if (bytes.length !== expected) {
    throw new CheckpointError(`${source}: ${bytes.length < expected ? "truncated" : "trailing bytes"}: tensors need ${expected} bytes in all, file has ${bytes.length}`);
  }
  const stored = view.getUint32(expected - 4, true);
  const actual = crc32(bytes.subarray(0, expected - 4));
  if (stored !== actual) {
    throw new CheckpointError(`${source}: checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)}): the file is corrupt`);
  }
  const tensors = new Map<string, Float32Array>();
  let offset = 16 + headerLength;
  for (const { name, length } of header.tensors) {
    const data = new Float32Array(length);
    for (let i = 0; i < length; i++, offset += 4) data[i] = view.getFloat32(offset, true);
    tensors.set(name, data);
  }
  return { meta: header.meta, tensors };
}

/** Writes a checkpoint durably: a crash or a full disk leaves the previous one whole (see writeFileDurable). */
export function saveCheckpoint<Meta>(path: string, meta: Meta, tensors: ReadonlyMap<string, Float32Array>, files: FileLayer = nodeFiles): void {
  writeFileDurable(path, encodeCheckpoint(meta, tensors), files);
}

export function loadCheckpoint<Meta>(path: string): Checkpoint<Meta> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new CheckpointError(`cannot read checkpoint ${path}: ${(err as Error).message}`);
  }
  return decodeCheckpoint<Meta>(bytes, path);
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(8, "0")}`;
}
