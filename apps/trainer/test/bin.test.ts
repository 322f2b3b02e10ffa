import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCheckpoint } from "../src/train/checkpoint.ts";
import type { CheckpointMeta } from "../src/train/run.ts";
import { appDir, type Finished, runNode } from "./cli-process.ts";
import { tempDir, tinyCsvArgs, writeBlobsCsv } from "./helpers.ts";

/** Runs bin/gradfold-train.mjs as `pnpm train` does (or not), and sends one Ctrl-C the way pnpm delivers it: twice, 5 ms apart. */
function ctrlCUnderPnpm(args: readonly string[], scriptRunner: boolean): Promise<Finished> {
  const env: NodeJS.ProcessEnv = { ...process.env, INIT_CWD: appDir };
  if (scriptRunner) env.npm_lifecycle_event = "train";
  else delete env.npm_lifecycle_event;
  let sent = false;
  return runNode([join(appDir, "bin", "gradfold-train.mjs"), ...args], {
    cwd: process.cwd(),
    env,
    onOutput: (stdout, child) => {
      if (sent || !/epoch 2\/5000 /.test(stdout)) return;
      sent = true;
      child.kill("SIGINT");
      setTimeout(() => child.kill("SIGINT"), 5);
    },
  });
}

describe("bin/gradfold-train.mjs", () => {
  it.each([
    [true, 0],
    [false, 130],
  ])("takes pnpm's relayed Ctrl-C as one: saves a checkpoint and exits cleanly (under a script runner: %s → exit %d)", async (scriptRunner, exitCode) => {
    const dir = tempDir();
    const out = join(dir, "run");
    const args = [...tinyCsvArgs(writeBlobsCsv(dir, 300)), "--epochs", "5000", "--out", out];
    const run = await ctrlCUnderPnpm(args, scriptRunner);
    expect(run.stdout).toMatch(/interrupted: checkpoint saved/);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(exitCode);
    expect(loadCheckpoint<CheckpointMeta>(join(out, "checkpoint.bin")).meta.state.epoch).toBeGreaterThanOrEqual(1);
  });
});
