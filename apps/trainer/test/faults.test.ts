import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type FileLayer, FileWriteError, nodeFiles } from "../src/io/durable-write.ts";
import { loadCheckpoint } from "../src/train/checkpoint.ts";
import { type CheckpointMeta, runTraining } from "../src/train/run.ts";
import { RunFolder } from "../src/train/run-folder.ts";
import type { CompiledEntries } from "@gradfold/train";
import { chooseBackend } from "../src/train/backends.ts";
import { cli } from "./cli-process.ts";
import { tempDir, testDeps, tinyConfig, writeBlobsCsv } from "./helpers.ts";
import { tmpfsUnavailable, withTmpfs } from "./tmpfs.ts";

/** node:fs, except that the n-th file opened whose name matches fails its first write with ENOSPC. */
function fullDiskOn(name: RegExp, nth: number): FileLayer {
  const doomed = new Set<number>();
  let opened = 0;
  return {
    ...nodeFiles,
    openSync(path, flags, mode) {
      const fd = nodeFiles.openSync(path, flags, mode);
      if (name.test(path) && ++opened === nth) doomed.add(fd);
      return fd;
    },
    writeSync(fd, buffer, offset, length) {
      if (doomed.has(fd)) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      return nodeFiles.writeSync(fd, buffer, offset, length);
    },
    closeSync(fd) {
      // The OS reuses the number for the next file opened.
      doomed.delete(fd);
      nodeFiles.closeSync(fd);
    },
  };
}

/** testDeps on the reference backend, each compiled model changed by `patch` (a fault to inject). */
function patchedReference(patch: (model: CompiledEntries) => Partial<CompiledEntries>) {
  const reference = chooseBackend("reference");
  return testDeps({
    backend: {
      ...reference,
      compiler: (spec, options) => {
        const model = reference.compiler(spec, options) as CompiledEntries;
        return { ...model, ...patch(model) };
      },
    },
  });
}

const readReport = (folder: RunFolder) => JSON.parse(readFileSync(join(folder.dir, "report.json"), "utf8"));

describe("a write that fails", () => {
  it.each([
    ["checkpoint.bin", /checkpoint\.bin\.tmp-/],
    ["best.bin", /best\.bin\.tmp-/],
  ])("of %s ends the run with the file's path and the OS error, keeps the previous file, and never reports completed", async (file, pattern) => {
    const dir = tempDir();
    const folder = new RunFolder(join(dir, "run"), fullDiskOn(pattern, 2));
    const run = runTraining(tinyConfig(writeBlobsCsv(dir), { epochs: 3, checkpointEvery: 2 }), folder, false, testDeps());
    await expect(run).rejects.toThrow(new FileWriteError(join(folder.dir, file), new Error("ENOSPC: no space left on device, write")).message);
    await expect(run).rejects.toBeInstanceOf(FileWriteError);
    const report = readReport(folder);
    expect(report.status).toBe("failed");
    expect(report.error).toMatch(/ENOSPC/);
    // The previous good file is still there and whole, and no temporary file is left.
    expect(loadCheckpoint<CheckpointMeta>(join(folder.dir, file)).meta.kind).toBe("gradfold-run");
    expect(readdirSync(folder.dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});

describe("losses reach steps.jsonl as training goes", () => {
  it("every step up to a checkpoint is in the file before the checkpoint is (what a resume keeps)", async () => {
    const dir = tempDir();
    const seen: Array<{ checkpointStep: number; lines: number }> = [];
    const watching: FileLayer = {
      ...nodeFiles,
      renameSync(from, to) {
        nodeFiles.renameSync(from, to);
        if (to.endsWith("checkpoint.bin")) {
          const step = loadCheckpoint<CheckpointMeta>(to).meta.state.step;
          seen.push({
            checkpointStep: step,
            lines: readFileSync(join(dir, "run", "steps.jsonl"), "utf8")
              .trim()
              .split("\n").length,
          });
        }
      },
    };
    const folder = new RunFolder(join(dir, "run"), watching);
    const report = await runTraining(tinyConfig(writeBlobsCsv(dir), { epochs: 3, checkpointEvery: 2 }), folder, false, testDeps());
    expect(report.status).toBe("completed");
    expect(seen.length).toBeGreaterThan(3);
    for (const { checkpointStep, lines } of seen) expect(lines).toBe(checkpointStep);
  });

  it("even when divergence comes before the first checkpoint", async () => {
    const dir = tempDir();
    const folder = new RunFolder(join(dir, "run"));
    const report = await runTraining(tinyConfig(writeBlobsCsv(dir), { lr: 1e6, epochs: 5, checkpointEvery: 0 }), folder, false, testDeps());
    expect(report.status).toBe("diverged");
    expect(folder.hasCheckpoint()).toBe(false);
    const lines = readFileSync(folder.stepsPath, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual(Array.from({ length: report.divergence!.step - 1 }, (_, i) => i + 1));
    expect(lines.every((l) => Number.isFinite(l.loss))).toBe(true);
  });
});

describe("compiling a run", () => {
  it("prepares the run's batch sizes at once, and a size that fails to compile fails the run and closes the model", async () => {
    const dir = tempDir();
    const prepared: number[] = [];
    let closed = 0;
    const failingPrepare = patchedReference(() => ({
      prepare: async (sizes: { batch: number }) => {
        prepared.push(sizes.batch);
        if (sizes.batch === 8) throw new Error("no kernel for batch 8");
      },
      close: async () => {
        closed++;
      },
    }));
    // 90 examples - 15 test - 15 validation = 60: batches of 10, evaluation at 8 and its rest 7 (each asked for at once).
    const run = runTraining(tinyConfig(writeBlobsCsv(dir)), new RunFolder(join(dir, "run")), false, failingPrepare);
    await expect(run).rejects.toThrow("no kernel for batch 8");
    expect(prepared.sort((a, b) => a - b)).toEqual([7, 8, 10]);
    expect(closed).toBe(1);
  });
});

describe("report.json", () => {
  it("writes a non-finite test loss as a string and calls the run diverged", async () => {
    const dir = tempDir();
    const folder = new RunFolder(join(dir, "run"));
    // An evaluation step whose losses overflow (training itself stays finite).
    const overflowingEval = patchedReference((model) => ({
      run: (entry, feeds, sizes) => ({ ...model.run(entry, feeds, sizes), ...(entry === "evaluate" ? { loss: new Float32Array(1).fill(Number.POSITIVE_INFINITY) } : {}) }),
    }));
    const report = await runTraining(tinyConfig(writeBlobsCsv(dir), { epochs: 1 }), folder, false, overflowingEval);
    expect(report.status).toBe("diverged");
    const written = readReport(folder);
    expect(written.status).toBe("diverged");
    expect(written.testLoss).toBe("Infinity");
    expect(JSON.parse(readFileSync(folder.metricsPath, "utf8")).valLoss).toBe("Infinity");
  });
});

// A real full disk: a tmpfs too small for the checkpoint (root only; see tmpfs.ts).
describe.skipIf(tmpfsUnavailable !== null)(`the trainer on a full disk${tmpfsUnavailable ? ` (skipped: ${tmpfsUnavailable})` : ""}`, () => {
  it("exits 1 naming checkpoint.bin and ENOSPC, leaves no partial file, and does not report completed", async () => {
    const dir = tempDir();
    const csv = writeBlobsCsv(dir);
    await withTmpfs("64k", async (disk) => {
      const out = join(disk, "run");
      // 4 features → 3000 → 3 classes: a ~96 KB checkpoint on a 64 KiB disk.
      const run = await cli([
        "--data",
        csv,
        "--target",
        "label",
        "--layers",
        "3000",
        "--batch-size",
        "10",
        "--optimizer",
        "sgd",
        "--epochs",
        "2",
        "--checkpoint-every",
        "2",
        "--out",
        out,
        "--progress",
        "none",
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`cannot write ${out}/(checkpoint|best)\\.bin: ENOSPC`));
      const files = readdirSync(out);
      expect(files.filter((f) => f.endsWith(".bin") || f.includes(".tmp-"))).toEqual([]);
      expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).status).toBe("failed");
    });
  });

  it("--out on a read-only disk names the folder and EROFS", async () => {
    const dir = tempDir();
    const csv = writeBlobsCsv(dir);
    await withTmpfs("16k,ro", async (disk) => {
      const out = join(disk, "run");
      const run = await cli(["--data", csv, "--target", "label", "--out", out, "--progress", "none"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`cannot create the run folder ${out} (--out): EROFS`);
    });
  });
});
