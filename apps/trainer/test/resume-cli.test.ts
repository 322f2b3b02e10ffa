import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCheckpoint } from "../src/train/checkpoint.ts";
import type { CheckpointMeta } from "../src/train/run.ts";
import { cli } from "./cli-process.ts";
import { jsonLines, tempDir, writeBlobsCsv } from "./helpers.ts";

describe("--resume with overrides", () => {
  it("applies --lr, --clip-norm and a longer --epochs, records them, and refuses what cannot change or a checkpoint from another run", async () => {
    const dir = tempDir();
    const csv = writeBlobsCsv(dir, 120);
    const common = ["--data", csv, "--target", "label", "--batch-size", "16", "--optimizer", "sgd", "--lr", "0.1", "--backend", "reference", "--progress", "lines"];
    const out = join(dir, "run");
    expect((await cli([...common, "--layers", "8", "--epochs", "1", "--out", out])).code).toBe(0);

    const refused = await cli(["--resume", out, "--optimizer", "adam", "--lr", "0.05"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--resume: --optimizer cannot change in the middle of a run \(the checkpoint holds the state of the optimizer/);
    const shorter = await cli(["--resume", out, "--epochs", "1", "--lr", "0.05"]);
    expect(shorter.code).toBe(0);
    expect(jsonLines(join(out, "config-history.jsonl"))[1].changes).toEqual({ lr: { from: 0.1, to: 0.05 } });

    const resumed = await cli(["--resume", out, "--lr", "0.02", "--clip-norm", "1", "--epochs", "2", "--progress", "lines"]);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("resume: --lr 0.05 -> 0.02");
    expect(resumed.stdout).toContain("resume: --clip-norm 0 -> 1");
    const ckpt = loadCheckpoint<CheckpointMeta>(join(out, "checkpoint.bin")).meta;
    expect([ckpt.config.lr, ckpt.config.clipNorm, ckpt.config.epochs, ckpt.state.history.length]).toEqual([0.02, 1, 2, 2]);
    expect(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).lr).toBe(0.02);
    const history = jsonLines(join(out, "config-history.jsonl"));
    expect(history.map((h) => h.event)).toEqual(["start", "resume", "resume"]);
    expect(history[2].changes).toEqual({ lr: { from: 0.05, to: 0.02 }, clipNorm: { from: 0, to: 1 }, epochs: { from: 1, to: 2 } });

    // A checkpoint copied in from a run of another model is refused, whatever its own config says.
    const other = join(dir, "other");
    expect((await cli([...common, "--layers", "5", "--epochs", "1", "--out", other])).code).toBe(0);
    copyFileSync(join(other, "checkpoint.bin"), join(out, "checkpoint.bin"));
    const foreign = await cli(["--resume", out, "--epochs", "3"]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain(`${join(out, "checkpoint.bin")} belongs to another run: its config differs from this folder's config.json (layers [5] vs [8])`);
  });
});
