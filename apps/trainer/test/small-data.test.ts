import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../src/config.ts";
import { makeOptimizer } from "../src/train/optimizer-choice.ts";
import { scheduledUpdateRule } from "../src/train/run.ts";
import { cli } from "./cli-process.ts";
import { tempDir, writeBlobsCsv } from "./helpers.ts";

describe("small data", () => {
  it("a CSV smaller than the default batch trains: the split is printed and the batch clamped", async () => {
    const dir = tempDir();
    const out = join(dir, "run");
    const run = await cli(["--data", writeBlobsCsv(dir, 40), "--target", "label", "--epochs", "2", "--layers", "8", "--out", out, "--progress", "none"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("data: 27 training, 5 validation, 8 test examples");
    expect(run.stdout).toContain("--batch-size 128 is larger than the 27 training examples; using batches of 27");
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).batchSize).toBe(27);
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).status).toBe("completed");
  });

  it("--limit-train 2000 on MNIST holds out 1/12 for validation; a --validation-size that does not fit is named", async () => {
    const dir = tempDir();
    const small = ["--limit-train", "2000", "--limit-test", "300", "--layers", "16", "--epochs", "1", "--progress", "none"];
    const run = await cli([...small, "--out", join(dir, "a")]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("data: 1833 training, 167 validation, 300 test examples");
    const tooMany = await cli([...small, "--validation-size", "5000", "--out", join(dir, "b")]);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toContain("--validation-size 5000 asks for 5000 of the 2000 examples");
  });

  it("a schedule that cannot be built names the options, not its internal check", () => {
    const config = { ...defaultConfig, schedule: "cosine" as const };
    expect(() => scheduledUpdateRule(makeOptimizer, config, 0)).toThrow(
      /^--optimizer adam with --schedule cosine cannot be set up for 10 epochs of 0 steps \(--batch-size 128\): .*steps must be > 0/,
    );
  });
});
