import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "../src/rng.ts";
import { runTraining } from "../src/train/run.ts";
import { RunFolder } from "../src/train/run-folder.ts";
import { tempDir, testDeps, tinyConfig } from "./helpers.ts";

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
    expect(existsSync(join(folder.dir, "loss.svg"))).toBe(true);
    expect(existsSync(join(folder.dir, "accuracy.svg"))).toBe(false);
  });
});
