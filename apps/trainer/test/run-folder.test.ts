import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCheckpoint } from "../src/train/checkpoint.ts";
import type { CheckpointMeta } from "../src/train/run.ts";
import { cli } from "./cli-process.ts";
import { tempDir, tinyCsvArgs, writeBlobsCsv } from "./helpers.ts";

const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
const report = (dir: string) => JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
/** The pid of a process that has exited: a lock it held is stale. */
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;

describe("run folders are owned", () => {
  it("--out refuses an earlier run's folder; --force replaces it, but only once the new run has started", async () => {
    const dir = tempDir();
    const csv = writeBlobsCsv(dir, 120);
    const out = join(dir, "run");
    expect((await cli([...tinyCsvArgs(csv), "--epochs", "1", "--out", out])).code).toBe(0);
    const before = snapshot(out);

    const again = await cli([...tinyCsvArgs(csv), "--epochs", "2", "--out", out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`--out ${out} holds another run (config.json,`);
    expect(again.stderr).toMatch(/--resume .*--force/);
    // A forced run that fails at start (here: a bad target column) leaves the earlier run as it was.
    const failed = await cli([...tinyCsvArgs(csv), "--target", "nope", "--epochs", "2", "--out", out, "--force"]);
    expect(failed.code).toBe(1);
    expect(snapshot(out)).toEqual(before);

    const forced = await cli([...tinyCsvArgs(csv), "--epochs", "2", "--out", out, "--force"]);
    expect(forced.code).toBe(0);
    expect(report(out).epochs).toBe(2);
    expect(readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n")).toHaveLength(2);
    expect(readFileSync(join(out, "config-history.jsonl"), "utf8").trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(out, "run.lock"))).toBe(false);
  });

  it("a second trainer on a folder in use fails at once naming the owner; the first finishes; a stale lock is replaced", async () => {
    const dir = tempDir();
    const csv = writeBlobsCsv(dir, 300);
    const out = join(dir, "run");
    let second: Promise<Awaited<ReturnType<typeof cli>>> | undefined;
    const first = await cli([...tinyCsvArgs(csv), "--epochs", "5000", "--out", out], (text, child) => {
      if (second === undefined && /epoch 2\/5000 /.test(text)) {
        second = cli([...tinyCsvArgs(csv), "--epochs", "3", "--out", out, "--force"]).then((r) => {
          child.kill("SIGINT");
          return r;
        });
      }
    });
    const other = await second!;
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(new RegExp(`the run folder ${out} is in use by another gradfold-train \\(pid \\d+, started `));
    expect(first.code).toBe(130);
    expect(report(out).status).toBe("interrupted");
    expect(existsSync(join(out, "run.lock"))).toBe(false);

    // A trainer killed outright leaves its lock; its pid is gone, so the next run takes the folder.
    const ghost = deadPid();
    writeFileSync(join(out, "run.lock"), JSON.stringify({ pid: ghost, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z" }));
    const resumed = await cli(["--resume", out, "--epochs", String(loadCheckpoint<CheckpointMeta>(join(out, "checkpoint.bin")).meta.state.epoch + 1), "--progress", "lines"]);
    expect(resumed.stdout).toContain(`replaced a stale lock of pid ${ghost}`);
    expect(resumed.code).toBe(0);
    expect(report(out).status).toBe("completed");
  });

  it("a trainer SIGKILLed in the middle of a checkpoint write leaves the previous checkpoint whole, and --resume finishes the run", async () => {
    const dir = tempDir();
    const csv = writeBlobsCsv(dir, 120);
    const out = join(dir, "run");
    const args = [...tinyCsvArgs(csv), "--epochs", "3", "--checkpoint-every", "2", "--out", out];
    let killedDuring: string | undefined;
    const killed = await cli([...args, "--debug-slow-writes", "20"], (_text, child) => {
      // Poll the folder: once one checkpoint exists and the next is half written, kill.
      const timer = setInterval(() => {
        const files = existsSync(out) ? readdirSync(out) : [];
        const partial = files.find((f) => f.startsWith("checkpoint.bin.tmp-"));
        if (files.includes("checkpoint.bin") && partial && readFileSync(join(out, partial)).length > 0) {
          killedDuring = partial;
          child.kill("SIGKILL");
          clearInterval(timer);
        }
      }, 5);
      child.once("exit", () => clearInterval(timer));
    });
    expect(killed.signal).toBe("SIGKILL");
    expect(killedDuring).toBeDefined();
    const kept = loadCheckpoint<CheckpointMeta>(join(out, "checkpoint.bin"));
    expect(kept.meta.state.step).toBeGreaterThan(0);

    const resumed = await cli(["--resume", out, "--progress", "lines"]);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/replaced a stale lock of pid \d+/);
    expect(report(out).status).toBe("completed");
    expect(report(out).epochs).toBe(3);
    expect(readdirSync(out).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("names the path when --out cannot be created or --data is a folder", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "file"), "not a folder");
    const csv = writeBlobsCsv(dir, 60);
    const blocked = await cli([...tinyCsvArgs(csv), "--out", join(dir, "file", "run")]);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain(`cannot create the run folder ${join(dir, "file", "run")} (--out): ENOTDIR`);
    mkdirSync(join(dir, "folder.csv"));
    const folderData = await cli([...tinyCsvArgs(join(dir, "folder.csv")), "--out", join(dir, "r2")]);
    expect(folderData.code).toBe(1);
    expect(folderData.stderr).toContain(`cannot read --data ${join(dir, "folder.csv")}: EISDIR`);
  });
});
