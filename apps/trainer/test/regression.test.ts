import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Dataset } from "../src/data/dataset.ts";
import { Rng } from "../src/rng.ts";
import { buildRun, runTraining } from "../src/train/run.ts";
import { RunFolder } from "../src/train/run-folder.ts";
import { tempDir, testDeps, tinyConfig } from "./helpers.ts";

/** House-price-like rows: raw-scale features and a price in the hundreds of thousands. */
export function writeHousesCsv(dir: string, rows = 400, seed = 4): string {
  const rng = new Rng(seed);
  const lines = ["sqft,bedrooms,age,distance,price"];
  for (let i = 0; i < rows; i++) {
    const sqft = 600 + 3000 * rng.uniform();
    const bedrooms = 1 + Math.floor(5 * rng.uniform());
    const age = Math.floor(80 * rng.uniform());
    const distance = 1 + 30 * rng.uniform();
    const price = 40_000 + 160 * sqft + 12_000 * bedrooms - 900 * age - 2500 * distance + 20_000 * rng.normal();
    lines.push(`${Math.round(sqft)},${bedrooms},${age},${distance.toFixed(2)},${Math.round(price)}`);
  }
  const path = join(dir, "houses.csv");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** Ordinary least squares with an intercept on (x, y), by the normal equations; returns test MSE. */
function leastSquaresTestMse(train: Dataset, test: Dataset, unscale: (y: number) => number): number {
  const f = train.features + 1;
  const row = (d: Dataset, i: number) => [1, ...d.x.subarray(i * train.features, (i + 1) * train.features)];
  const a = Array.from({ length: f }, () => new Array<number>(f + 1).fill(0));
  for (let i = 0; i < train.count; i++) {
    const r = row(train, i);
    for (let j = 0; j < f; j++) {
      for (let k = 0; k < f; k++) a[j][k] += r[j] * r[k];
      a[j][f] += r[j] * unscale(train.y[i]);
    }
  }
  for (let c = 0; c < f; c++) {
    for (let r = 0; r < f; r++) {
      if (r === c) continue;
      const factor = a[r][c] / a[c][c];
      for (let k = c; k <= f; k++) a[r][k] -= factor * a[c][k];
    }
  }
  const w = a.map((r, i) => r[f] / r[i]);
  let sum = 0;
  for (let i = 0; i < test.count; i++) sum += (row(test, i).reduce((s, v, j) => s + v * w[j], 0) - unscale(test.y[i])) ** 2;
  return sum / test.count;
}

describe("CSV regression", () => {
  it("learns y = 2a − b with the mse loss; no accuracy, no accuracy plot", async () => {
    const dir = tempDir();
    const rng = new Rng(9);
    const rows = ["a,b,y"];
    for (let i = 0; i < 120; i++) {
      const a = rng.normal();
      const b = rng.normal();
      rows.push(`${a.toFixed(4)},${b.toFixed(4)},${(2 * a - b + 0.05 * rng.normal()).toFixed(4)}`);
    }
    const path = join(dir, "linear.csv");
    writeFileSync(path, `${rows.join("\n")}\n`);
    const config = tinyConfig(path, { data: { source: "csv", path, target: "y", task: "auto" }, layers: [8], epochs: 40, lr: 0.05, validationSize: 20, testSize: 20 });
    const folder = new RunFolder(join(dir, "run"));
    const report = await runTraining(config, folder, false, testDeps());
    expect(report.status).toBe("completed");
    expect(report.testAccuracy).toBeNull();
    // The targets' variance is about 5; a fitted model leaves a small fraction of it.
    expect(report.testLoss).toBeLessThan(0.25);
    // The test loss of mse is the MSE in the target's units.
    expect(report.testLoss).toBeCloseTo(report.regression!.mse, 5);
    expect(existsSync(join(folder.dir, "loss.svg"))).toBe(true);
    expect(existsSync(join(folder.dir, "accuracy.svg"))).toBe(false);
  });

  it("on raw-scale house prices beats predicting the mean by far and comes near least squares, in the price's units", async () => {
    const dir = tempDir();
    const path = writeHousesCsv(dir);
    const config = tinyConfig(path, {
      data: { source: "csv", path, target: "price", task: "auto" },
      layers: [16],
      batchSize: 32,
      epochs: 60,
      lr: 0.05,
      validationSize: 0.15,
      testSize: 0.2,
    });
    const folder = new RunFolder(join(dir, "run"));
    const report = await runTraining(config, folder, false, testDeps());
    expect(report.status).toBe("completed");
    const { mse, mae, meanBaselineMse } = report.regression!;
    const { data } = buildRun(config, testDeps());
    const { mean, std } = data.info.targetScale!;
    const leastSquares = leastSquaresTestMse(data.train, data.test, (y) => y * std + mean);
    // Noise σ = 20 000 → an MSE near 4e8 is the floor; the prices spread by ~1.6e5.
    expect(meanBaselineMse).toBeGreaterThan(1e10);
    expect(mse).toBeLessThan(meanBaselineMse / 20);
    // Least squares is the best linear fit (the data is linear plus noise); a small ReLU net trained by SGD comes within 2×.
    expect(mse).toBeLessThan(2 * leastSquares);
    expect(mae).toBeGreaterThan(5_000);
    expect(mae).toBeLessThan(40_000);
    expect(report.testLoss).toBeCloseTo(mse, -2);
    // predictions.csv holds the test set's prices and the model's, in dollars; its MSE is the reported one.
    const rows = readFileSync(join(folder.dir, "predictions.csv"), "utf8").trim().split("\n");
    expect(rows[0]).toBe("target,prediction");
    const pairs = rows.slice(1).map((r) => r.split(",").map(Number));
    expect(pairs).toHaveLength(data.test.count);
    expect(pairs.every(([t]) => t > 1e4)).toBe(true);
    expect(pairs.reduce((s, [t, p]) => s + (t - p) ** 2, 0) / pairs.length).toBeCloseTo(mse, -3);
  });
});
