import { describe, expect, test } from "vitest";
import { decodeSafetensors, encodeSafetensors, float32Of } from "./safetensors.ts";

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/**
 * Written by Python's reference implementation (safetensors 0.8.0, numpy 2):
 * `save({"layer/W": float32 [[1.5, -2, 3], [4, 5, -0.0]], "b": float32 [inf, -inf, 1e-45]}, metadata={"note": "x"})`.
 */
const PYTHON_F32 =
  "mAAAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJub3RlIjoieCJ9LCJiIjp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlszXSwiZGF0YV9v" +
  "ZmZzZXRzIjpbMCwxMl19LCJsYXllci9XIjp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlsyLDNdLCJkYXRhX29mZnNldHMiOlsxMiwz" +
  "Nl19fSAgICAgIAAAgH8AAID/AQAAAAAAwD8AAADAAABAQAAAgEAAAKBAAAAAgA==";

/** The same with an int32 tensor "n" = [7, -8] and metadata {"note": "written by safetensors 0.8.0", "format": "np"}. */
const PYTHON_MIXED =
  "+AAAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJub3RlIjoid3JpdHRlbiBieSBzYWZldGVuc29ycyAwLjguMCIsImZvcm1hdCI6Im5w" +
  "In0sImIiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzNdLCJkYXRhX29mZnNldHMiOlswLDEyXX0sImxheWVyL1ciOnsiZHR5cGUi" +
  "OiJGMzIiLCJzaGFwZSI6WzIsM10sImRhdGFfb2Zmc2V0cyI6WzEyLDM2XX0sIm4iOnsiZHR5cGUiOiJJMzIiLCJzaGFwZSI6WzJd" +
  "LCJkYXRhX29mZnNldHMiOlszNiw0NF19fSAgICAgIAAAgH8AAID/AQAAAAAAwD8AAADAAABAQAAAgEAAAKBAAAAAgAcAAAD4////";

const W = Float32Array.of(1.5, -2, 3, 4, 5, -0);
const B = Float32Array.of(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45);

/** A file built by hand from the spec: header length, JSON, data. */
function handBuilt(header: object | string, data: number[] = []): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("safetensors", () => {
  test("our writer gives byte for byte what the reference implementation writes", () => {
    const ours = encodeSafetensors(
      new Map([
        ["layer/W", { shape: [2, 3], data: W }],
        ["b", { shape: [3], data: B }],
      ]),
      { note: "x" },
    );
    expect(Array.from(ours)).toEqual(Array.from(fromBase64(PYTHON_F32)));
  });

  test("our reader reads the reference's files: names, dtypes, shapes, values (−0, ±Inf, subnormals) and metadata", () => {
    const file = decodeSafetensors(fromBase64(PYTHON_MIXED));
    expect([...file.tensors.keys()].sort()).toEqual(["b", "layer/W", "n"]);
    expect(file.metadata).toEqual({ note: "written by safetensors 0.8.0", format: "np" });
    const w = file.tensors.get("layer/W")!;
    expect(w.shape).toEqual([2, 3]);
    expect(float32Of(w)).toEqual(W);
    expect(Object.is(float32Of(w)[5], -0)).toBe(true);
    expect(float32Of(file.tensors.get("b")!)).toEqual(B);
    const n = file.tensors.get("n")!;
    expect(n.dtype).toBe("I32");
    expect(Array.from(new Int32Array(n.bytes.slice().buffer))).toEqual([7, -8]);
    expect(() => float32Of(n)).toThrow(/expected dtype F32, got I32/);
  });

  test("round trip, NaN and a scalar included; a view into a larger buffer reads the same", () => {
    const nan = Float32Array.of(Number.NaN, 0, -1);
    const bytes = encodeSafetensors(
      new Map([
        ["s", { shape: [], data: Float32Array.of(2.5) }],
        ["v", { shape: [3], data: nan }],
      ]),
    );
    const file = decodeSafetensors(bytes);
    expect(file.metadata).toEqual({});
    expect(float32Of(file.tensors.get("s")!)).toEqual(Float32Array.of(2.5));
    expect(float32Of(file.tensors.get("v")!)).toEqual(nan);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(float32Of(decodeSafetensors(padded.subarray(3)).tensors.get("v")!)).toEqual(nan);
  });

  test("hand-built files per the spec: an empty file, an unpadded header, a zero-size tensor", () => {
    expect(decodeSafetensors(handBuilt({})).tensors.size).toBe(0);
    const file = decodeSafetensors(
      handBuilt({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, z: { dtype: "F32", shape: [0, 3], data_offsets: [4, 4] } }, [0, 0, 0x80, 0x3f]),
    );
    expect(float32Of(file.tensors.get("a")!)).toEqual(Float32Array.of(1));
    expect(float32Of(file.tensors.get("z")!)).toEqual(new Float32Array(0));
  });

  test("malformed files are rejected with what was wrong", () => {
    const f32 = (shape: number[], offsets: number[]) => ({ dtype: "F32", shape, data_offsets: offsets });
    expect(() => decodeSafetensors(new Uint8Array(4))).toThrow(/at least 8 bytes/);
    expect(() => decodeSafetensors("x" as never)).toThrow(/expected a Uint8Array, got string/);
    const tooLong = handBuilt({});
    new DataView(tooLong.buffer).setBigUint64(0, 1000n, true);
    expect(() => decodeSafetensors(tooLong)).toThrow(/header length 1000 exceeds the 2 bytes after it/);
    expect(() => decodeSafetensors(handBuilt("{not json"))).toThrow(/not valid UTF-8 JSON/);
    expect(() => decodeSafetensors(handBuilt("[]"))).toThrow(/header must be a JSON object/);
    expect(() => decodeSafetensors(handBuilt({ a: { dtype: "F128", shape: [], data_offsets: [0, 16] } }))).toThrow(/unknown dtype "F128"/);
    expect(() => decodeSafetensors(handBuilt({ a: f32([-1], [0, 4]) }))).toThrow(/shape must be an array of non-negative integers/);
    expect(() => decodeSafetensors(handBuilt({ a: f32([2], [0, 4]) }, [0, 0, 0, 0]))).toThrow(/F32\[2\] needs 8 bytes, data_offsets give 4/);
    expect(() => decodeSafetensors(handBuilt({ a: f32([1], [4, 0]) }))).toThrow(/data_offsets must be \[begin, end\]/);
    expect(() => decodeSafetensors(handBuilt({ a: f32([1], [4, 8]) }, new Array(8).fill(0)))).toThrow(/starts at byte 4, expected 0/);
    expect(() => decodeSafetensors(handBuilt({ a: f32([1], [0, 4]), b: f32([1], [2, 6]) }, new Array(6).fill(0)))).toThrow(/"b" starts at byte 2, expected 4/);
    expect(() => decodeSafetensors(handBuilt({ a: f32([1], [0, 4]) }, new Array(5).fill(0)))).toThrow(/cover 4 bytes of data, the file has 5/);
    expect(() => decodeSafetensors(handBuilt({ __metadata__: { k: 1 } }))).toThrow(/__metadata__ "k" must be a string/);
  });

  test("the writer refuses what the format cannot hold", () => {
    expect(() => encodeSafetensors(new Map([["a", { shape: [2], data: new Float32Array(3) }]]))).toThrow(/has 3 values but shape \[2\]/);
    expect(() => encodeSafetensors(new Map([["__metadata__", { shape: [1], data: new Float32Array(1) }]]))).toThrow(/cannot name a tensor/);
  });
});
