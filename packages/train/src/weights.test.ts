import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { blobs, classifier, stateOf } from "../test/fixtures.ts";
import { predict } from "./evaluate.ts";
import { fit } from "./fit.ts";
import type { CompiledModel } from "./compiled-model.ts";
import { decodeSafetensors, encodeSafetensors, float32Of } from "./safetensors.ts";
import { loadWeights, saveWeights } from "./weights.ts";

const state = stateOf;
const WEIGHTS = ["dense/W", "dense/b", "dense_1/W", "dense_1/b"];

function trained(): CompiledModel {
  const model = classifier();
  fit(model, blobs(64), { epochs: 2 });
  return model;
}

/** A copy of `bytes` with one tensor's header entry changed (the data keeps its length). */
function withTensors(model: CompiledModel, change: (tensors: Map<string, { shape: number[]; data: Float32Array }>) => void): Uint8Array {
  const tensors = new Map(WEIGHTS.map((n) => [n, { shape: model.entries.predict.params.find((p) => p.name === n)!.shape as number[], data: model.read(n) }]));
  change(tensors);
  return encodeSafetensors(tensors);
}

describe("saveWeights / loadWeights", () => {
  test("weights only by default, with shapes and metadata; optimizer state on request", () => {
    const model = trained();
    const file = decodeSafetensors(saveWeights(model));
    expect([...file.tensors.keys()].sort()).toEqual([...WEIGHTS].sort());
    expect(file.tensors.get("dense/W")!.shape).toEqual([4, 8]);
    expect(file.tensors.get("dense_1/b")!.shape).toEqual([3]);
    expect(float32Of(file.tensors.get("dense/W")!)).toEqual(model.read("dense/W"));
    expect(file.metadata).toEqual({ format: "pt", producer: "gradfold", optimizerState: "false" });
    const full = decodeSafetensors(saveWeights(model, { optimizerState: true, metadata: { epoch: "2" } }));
    expect([...full.tensors.keys()].sort()).toEqual(model.names().sort());
    expect(float32Of(full.tensors.get("adam/step")!)).toEqual(Float32Array.of(8));
    expect(full.metadata.epoch).toBe("2");
  });

  test("a fresh model loaded from the bytes predicts the same; with optimizer state it also trains on identically", () => {
    const model = trained();
    const x = blobs(9, 4).x;
    const fresh = classifier();
    const { names, metadata } = loadWeights(fresh, saveWeights(model));
    expect(names.sort()).toEqual([...WEIGHTS].sort());
    expect(metadata.producer).toBe("gradfold");
    expect(predict(fresh, x).output).toEqual(predict(model, x).output);
    const resumed = classifier();
    loadWeights(resumed, saveWeights(model, { optimizerState: true }));
    const data = blobs(64);
    fit(model, data, { epochs: 3, initialEpoch: 2 });
    fit(resumed, data, { epochs: 3, initialEpoch: 2 });
    expect(state(resumed)).toEqual(state(model));
  });

  test("any mismatch (name, dtype, shape, missing weight, bad file) is an error that loads nothing", () => {
    const source = trained();
    const model = classifier();
    const before = state(model);
    const cases: [Uint8Array, RegExp][] = [
      [withTensors(source, (t) => t.set("extra", { shape: [1], data: Float32Array.of(1) })), /"extra" is not a param or state slot of the model/],
      [withTensors(source, (t) => t.delete("dense_1/b")), /"dense_1\/b" is missing from the file/],
      [withTensors(source, (t) => t.set("dense/W", { shape: [8, 4], data: t.get("dense/W")!.data })), /"dense\/W" has shape \[8, 4\], expected \[4, 8\]/],
      [saveWeights(source).subarray(0, 20), /safetensors: /],
    ];
    // dtype: rewrite one entry's dtype in the header, keeping the byte counts (F32 [3] → I32 [3]).
    const bytes = withTensors(source, () => {});
    const headerEnd = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(bytes.subarray(8, headerEnd)).replace('"dense_1/b":{"dtype":"F32"', '"dense_1/b":{"dtype":"I32"');
    const swapped = bytes.slice();
    swapped.set(new TextEncoder().encode(header), 8);
    expect(swapped).not.toEqual(bytes);
    cases.push([swapped, /"dense_1\/b" has dtype I32, expected F32/]);
    for (const [file, message] of cases) {
      expect(() => loadWeights(model, file)).toThrow(message);
      expect(state(model)).toEqual(before);
    }
    expect(() =>
      loadWeights(
        model,
        withTensors(source, (t) => t.delete("dense/W")),
      ),
    ).toThrow(/nothing was loaded/);
  });
});

const hasPython = (() => {
  try {
    execFileSync("python3", ["-c", "import safetensors, numpy"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
})();

/** Reads our file with Python's safetensors, runs the MLP in numpy, and writes a file of its own back. */
const PYTHON = `
import json, sys, numpy as np
from safetensors.numpy import load_file, save_file
w = load_file(sys.argv[1])
x = np.array(json.loads(sys.argv[2]), dtype=np.float32).reshape(-1, 4)
h = np.tanh(x @ w["dense/W"] + w["dense/b"])
out = h @ w["dense_1/W"] + w["dense_1/b"]
save_file({k: (v * 2).astype(np.float32) for k, v in w.items()}, sys.argv[3], metadata={"format": "pt"})
print(json.dumps({"out": out.reshape(-1).tolist(), "shapes": {k: list(v.shape) for k, v in w.items()}}))
`;

describe.runIf(hasPython)("with Python's safetensors (runs where `python3 -c 'import safetensors'` works)", () => {
  test("Python reads our weights and predicts as we do; we load the file Python writes", () => {
    const dir = mkdtempSync(join(tmpdir(), "gradfold-safetensors-"));
    try {
      const model = trained();
      const x = blobs(5, 6).x;
      writeFileSync(join(dir, "weights.safetensors"), saveWeights(model));
      const result = JSON.parse(
        execFileSync("python3", ["-c", PYTHON, join(dir, "weights.safetensors"), JSON.stringify(Array.from(x)), join(dir, "back.safetensors")], { encoding: "utf8" }),
      );
      expect(result.shapes).toEqual({ "dense/W": [4, 8], "dense/b": [8], "dense_1/W": [8, 3], "dense_1/b": [3] });
      const ours = predict(model, x).output;
      expect(Math.max(...result.out.map((v: number, i: number) => Math.abs(v - ours[i])))).toBeLessThan(1e-5);
      const doubled = model.read("dense/W").map((v) => v * 2);
      loadWeights(model, new Uint8Array(readFileSync(join(dir, "back.safetensors"))));
      expect(model.read("dense/W")).toEqual(doubled);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
