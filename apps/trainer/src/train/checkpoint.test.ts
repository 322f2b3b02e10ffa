import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeCheckpoint, encodeCheckpoint, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";

const tensors = new Map([
  ["dense1/W", Float32Array.from([1.5, -2, Math.fround(0.1), 3e-39])],
  ["adam/step", Float32Array.of(7)],
]);
const meta = { epoch: 2, rng: [1, 2, 3, 4294967295] };

describe("checkpoints", () => {
  it("round-trips tensors bit for bit and the metadata", () => {
    const back = decodeCheckpoint<typeof meta>(encodeCheckpoint(meta, tensors));
    expect(back.meta).toEqual(meta);
    expect([...back.tensors.keys()]).toEqual(["dense1/W", "adam/step"]);
    expect(new Uint32Array(back.tensors.get("dense1/W")!.buffer)).toEqual(new Uint32Array(tensors.get("dense1/W")!.buffer));
  });

  it("rejects foreign, truncated, extended, corrupted and future-version files with a clear reason", () => {
    const bytes = encodeCheckpoint(meta, tensors);
    expect(() => decodeCheckpoint(new TextEncoder().encode("PK\u0003\u0004 a zip file"), "x.bin")).toThrow(/x.bin: not a gradfold checkpoint/);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated: tensors need \d+ bytes in all/);
    expect(() => decodeCheckpoint(bytes.subarray(0, 30))).toThrow(/truncated: header says/);
    expect(() => decodeCheckpoint(Uint8Array.from([...bytes, 0]))).toThrow(/trailing bytes/);
    const flipped = bytes.slice();
    flipped[bytes.length - 10] ^= 0x40;
    expect(() => decodeCheckpoint(flipped)).toThrow(/checksum mismatch/);
    const future = bytes.slice();
    future[8] = 9;
    expect(() => decodeCheckpoint(future)).toThrow(/format version 9, this trainer reads version 2/);
    const old = bytes.slice();
    old[8] = 1;
    expect(() => decodeCheckpoint(old, "run/checkpoint.bin")).toThrow(
      /run\/checkpoint.bin: checkpoint format version 1, written by an older gradfold-train .*start a new run with --out/,
    );
  });

  it("writes atomically: the file is whole and no temporary file is left behind", () => {
    const dir = mkdtempSync(join(tmpdir(), "ckpt-"));
    const path = join(dir, "checkpoint.bin");
    writeFileSync(path, "old");
    saveCheckpoint(path, meta, tensors);
    expect(readdirSync(dir)).toEqual(["checkpoint.bin"]);
    expect(loadCheckpoint<typeof meta>(path).meta).toEqual(meta);
    expect(readFileSync(path).length).toBe(encodeCheckpoint(meta, tensors).length);
    expect(() => loadCheckpoint(join(dir, "none.bin"))).toThrow(/cannot read checkpoint/);
    expect(existsSync(`${path}.tmp-${process.pid}`)).toBe(false);
  });
});
