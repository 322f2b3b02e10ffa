import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { casesFile, mlpPredictions } from "../scripts/mlp-cases.ts";
import { fit, predict, saveWeights } from "../src/index.ts";
import { blobs, classifier } from "./fixtures.ts";

const script = join(import.meta.dirname, "../scripts/check_safetensors.py");

/** Why Python cannot run the check here, or null when python3 with safetensors and numpy is there. */
function pythonMissing(): string | null {
  const probe = spawnSync("python3", ["-c", "import safetensors, numpy"], { encoding: "utf8" });
  if (probe.error) return `python3 is not on PATH (${probe.error.message})`;
  if (probe.status !== 0) return `python3 cannot import safetensors and numpy: ${probe.stderr.trim().split("\n").pop()}`;
  return null;
}
const missing = pythonMissing();

function check(files: { weights: Uint8Array; cases: Uint8Array }, args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "gradfold-safetensors-"));
  try {
    writeFileSync(join(dir, "weights.safetensors"), files.weights);
    writeFileSync(join(dir, "cases.safetensors"), files.cases);
    return spawnSync("python3", [script, join(dir, "weights.safetensors"), join(dir, "cases.safetensors"), ...args], { encoding: "utf8" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(missing !== null)(`Python reads gradfold's weights.safetensors${missing ? ` (skipped: ${missing})` : ""}`, () => {
  // The fixture: a 4-8-3 MLP with tanh, layers "dense" and "dense_1", trained with fit()
  // in beforeAll (a describe body runs at collection, even when the suite is skipped).
  const data = blobs(150, 7);
  let weights: Uint8Array;
  let expected: Float32Array;
  beforeAll(() => {
    const model = classifier();
    fit(model, blobs(200, 1), { epochs: 5, seed: 2 });
    weights = saveWeights(model);
    expected = predict(model, data.x).output as Float32Array;
  });
  const layers = ["--layers", "dense,dense_1", "--activation", "tanh"];

  test("NumPy's forward pass over the loaded weights gives gradfold's predictions", () => {
    const run = check({ weights, cases: casesFile(data.x, expected, 150, data.y) }, [...layers, "--tolerance", "1e-5"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const diff = Number(/max abs diff: (\S+)/.exec(run.stdout)?.[1]);
    console.log(`check_safetensors.py: ${run.stdout.trim()}`);
    expect(diff).toBeLessThan(1e-5);
    // The predictions are a trained model's: far better than chance on the three classes.
    const [numpy, ours] = /accuracy numpy: (\S+), gradfold: (\S+)/.exec(run.stdout)!.slice(1).map(Number);
    expect(numpy).toBe(ours);
    expect(ours).toBeGreaterThan(0.8);
  });

  test("an MLP rebuilt from the file by scripts/mlp-cases.ts predicts as the trained model", () => {
    expect(mlpPredictions(weights, ["dense", "dense_1"], "tanh", data.x, 150)).toEqual(expected);
  });

  test("the check fails when the predictions differ, and when the layers do not fit the file", () => {
    const off = expected.slice();
    off[7] += 0.01;
    const wrong = check({ weights, cases: casesFile(data.x, off, 150) }, layers);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/max abs diff 1\.0\d*e-02 exceeds the tolerance 0\.0001/);
    const absent = check({ weights, cases: casesFile(data.x, expected, 150) }, ["--layers", "dense1,dense2"]);
    expect(absent.status).toBe(2);
    expect(absent.stderr).toMatch(/weights file has no \['dense1\/W', 'dense1\/b', 'dense2\/W', 'dense2\/b'\]/);
  });
});
