import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeSafetensors } from "@gradfold/train";
import { describe, expect, it } from "vitest";
import { loadCheckpoint } from "../src/train/checkpoint.ts";
import type { CheckpointMeta } from "../src/train/run.ts";
import { cli, cliOk } from "./cli-process.ts";
import { tempDir } from "./helpers.ts";

const bits = (tensors: ReadonlyMap<string, Float32Array>) => Object.fromEntries([...tensors].map(([k, v]) => [k, [...new Uint32Array(v.buffer, v.byteOffset, v.length)]]));
const withoutTimes = (text: string) =>
  text
    .trim()
    .split("\n")
    .map((l) => ({ ...JSON.parse(l), seconds: 0, examplesPerSecond: 0 }));

describe("--threads", () => {
  it("two threads train bit-identically to one (params, optimizer state, every step's loss, metrics, test); recorded in config.json; --resume may change it", async () => {
    const dir = tempDir();
    // 784 → 256 at batch 64: matmuls large enough for the pool to split (≥ 2e6 flops); 650 rows leave a last batch of 10.
    const args = [
      "--limit-train",
      "700",
      "--validation-size",
      "50",
      "--limit-test",
      "300",
      "--layers",
      "256",
      "--batch-size",
      "64",
      "--epochs",
      "2",
      "--dropout",
      "0.1",
      "--progress",
      "none",
    ];
    const runs = [];
    for (const threads of ["1", "2"]) {
      const out = join(dir, `t${threads}`);
      const run = await cliOk([...args, "--threads", threads, "--out", out]);
      expect(run.stdout).toContain(`backend compiled, ${threads} thread${threads === "1" ? "" : "s"}`);
      expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).threads).toBe(Number(threads));
      const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
      expect(report.threads).toBe(Number(threads));
      runs.push({
        tensors: bits(loadCheckpoint<CheckpointMeta>(join(out, "checkpoint.bin")).tensors),
        steps: readFileSync(join(out, "steps.jsonl"), "utf8"),
        metrics: withoutTimes(readFileSync(join(out, "metrics.jsonl"), "utf8")),
        test: [report.testLoss, report.testAccuracy, report.confusionMatrix],
        weights: [...readFileSync(join(out, "weights.safetensors"))],
      });
    }
    expect(runs[0].steps.trim().split("\n")).toHaveLength(2 * 11); // ceil(650 / 64): the last batch of 10 is trained
    expect(runs[1]).toEqual(runs[0]);
    // weights.safetensors holds the trained weights, by name, as the checkpoint does.
    const weights = decodeSafetensors(Uint8Array.from(runs[0].weights));
    expect([...weights.tensors.keys()].sort()).toEqual(["dense1/W", "dense1/b", "dense2/W", "dense2/b"]);
    expect(weights.tensors.get("dense1/W")?.shape).toEqual([784, 256]);

    const resumed = await cli(["--resume", join(dir, "t2"), "--epochs", "3", "--threads", "1", "--progress", "none"]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("resume: --threads 2 -> 1");
    expect(JSON.parse(readFileSync(join(dir, "t2", "config.json"), "utf8")).threads).toBe(1);
  });
});
