import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CompiledEntries } from "@gradfold/train";
import { describe, expect, it } from "vitest";
import { type Backend, chooseBackend } from "../src/train/backends.ts";
import { loadCheckpoint } from "../src/train/checkpoint.ts";
import { RunFolder } from "../src/train/run-folder.ts";
import { type RunDeps, runTraining } from "../src/train/run.ts";
import { cli } from "./cli-process.ts";
import { tempDir, testDeps, tinyConfig, writeBlobsCsv } from "./helpers.ts";

/** testDeps whose progress log lines are kept. */
function loggingDeps(overrides: Partial<RunDeps> = {}) {
  const logs: string[] = [];
  const deps = testDeps(overrides);
  return { logs, deps: { ...deps, progress: { ...deps.progress, log: (m: string) => logs.push(m) } } };
}

/** The reference backend, but its train step reports an infinite loss at these runs (counted from 1, replays included). */
function nonFiniteLossAt(runs: readonly number[]): Backend {
  const reference = chooseBackend("reference");
  let trainRuns = 0;
  return {
    ...reference,
    compiler: (spec, options) => {
      const model = reference.compiler(spec, options) as CompiledEntries;
      return {
        ...model,
        run: (entry, feeds, sizes) => {
          const results = model.run(entry, feeds, sizes);
          return entry === "train" && runs.includes(++trainRuns) ? { ...results, loss: new Float32Array(1).fill(Number.POSITIVE_INFINITY) } : results;
        },
      };
    },
  };
}

const readReport = (folder: RunFolder) => JSON.parse(readFileSync(join(folder.dir, "report.json"), "utf8"));

describe("a diverged step is re-run with checkNumerics", () => {
  it("names the first non-finite op, its call site and inputs in the message and report.json; the checkpoint stays pre-divergence", async () => {
    const dir = tempDir();
    const folder = new RunFolder(join(dir, "run"));
    const { logs, deps } = loggingDeps();
    // lr 1e6 blows up the output layer's matmul to Infinity at step 5 (after a checkpoint at step 4).
    const report = await runTraining(tinyConfig(writeBlobsCsv(dir), { lr: 1e6, epochs: 5, checkpointEvery: 2 }), folder, false, deps);
    expect(report.status).toBe("diverged");
    expect(report.divergence?.step).toBe(5);
    const message = logs.find((l) => l.startsWith("diverged at step 5"));
    expect(message).toMatch(/first non-finite value \(re-run with checkNumerics\): matmul float32\[10, 3\] at layer \(.*network\.ts:\d+:\d+\), kernel k\d+_matmul; it read:/);
    expect(message).toMatch(/\n {4}param "dense2\/W" float32\[6, 3\] .*: all finite\n/);
    expect(message).toContain(`--resume ${folder.dir}`);
    const written = readReport(folder).divergence.firstNonFinite;
    expect(written).toMatchObject({ found: true, operation: "matmul float32[10, 3]", kernel: expect.stringMatching(/_matmul$/) });
    expect(written.callSite).toMatch(/network\.ts:\d+:\d+/);
    expect(written.inputs).toHaveLength(2);
    expect(written.message).toMatch(/^checkNumerics: matmul/);
    // The re-run wrote nothing: the checkpoint is the one of step 4, every value finite.
    const ckpt = loadCheckpoint<{ state: { step: number } }>(folder.checkpointPath);
    expect(ckpt.meta?.state.step).toBe(4);
    for (const [name, t] of ckpt.tensors) expect(t.every(Number.isFinite), name).toBe(true);
  });

  it("replays the steps since the start when no checkpoint was kept, and finds the same op", async () => {
    const dir = tempDir();
    const folder = new RunFolder(join(dir, "run"));
    const { deps } = loggingDeps();
    const report = await runTraining(tinyConfig(writeBlobsCsv(dir), { lr: 1e6, epochs: 5, checkpointEvery: 0 }), folder, false, deps);
    expect(report.divergence?.step).toBe(5);
    expect(folder.hasCheckpoint()).toBe(false);
    // From the start's params, steps 1–4 replayed: had the replay gone wrong, the first bad op would read a NaN param.
    expect(report.divergence?.firstNonFinite).toMatchObject({ found: true, operation: "matmul float32[10, 3]" });
    expect(report.divergence?.firstNonFinite?.inputs.every((line) => line.endsWith("all finite"))).toBe(true);
  });

  it("says the step is finite when re-run when the non-finite loss did not come from the step's ops", async () => {
    const dir = tempDir();
    const folder = new RunFolder(join(dir, "run"));
    // A train step that reports an infinite loss at its 3rd run though every op is finite.
    const { logs, deps } = loggingDeps({ backend: nonFiniteLossAt([3]) });
    const report = await runTraining(tinyConfig(writeBlobsCsv(dir), { epochs: 2, checkpointEvery: 0 }), folder, false, deps);
    expect(report.status).toBe("diverged");
    expect(report.divergence?.step).toBe(3);
    expect(logs.find((l) => l.startsWith("diverged at step 3"))).toMatch(/re-run with checkNumerics: the step is finite when re-run/);
    expect(readReport(folder).divergence.firstNonFinite).toMatchObject({ found: false, operation: null, callSite: null });
  });

  it("says so when the steps before it do not replay as they ran", async () => {
    const dir = tempDir();
    const folder = new RunFolder(join(dir, "run"));
    // Infinite at the 3rd run (the run diverges at step 3) and at the 5th (the replay of step 2).
    const { deps } = loggingDeps({ backend: nonFiniteLossAt([3, 5]) });
    const report = await runTraining(tinyConfig(writeBlobsCsv(dir), { epochs: 2, checkpointEvery: 0 }), folder, false, deps);
    expect(report.status).toBe("diverged");
    expect(report.divergence?.firstNonFinite).toMatchObject({ found: false });
    expect(report.divergence?.firstNonFinite?.message).toMatch(/^the steps before it did not replay as they ran \(step 2, loss Infinity, replayed from step 0\)/);
  });
});

describe("the CLI on a diverging run", () => {
  it("exits 3 and prints the first non-finite op beside the divergence message", async () => {
    const dir = tempDir();
    const out = join(dir, "run");
    const run = await cli([
      "--data",
      writeBlobsCsv(dir),
      "--target",
      "label",
      "--layers",
      "6",
      "--batch-size",
      "10",
      "--optimizer",
      "sgd",
      "--lr",
      "1e6",
      "--epochs",
      "3",
      "--validation-size",
      "15",
      "--test-size",
      "15",
      "--out",
      out,
      "--progress",
      "none",
    ]);
    expect(run.code).toBe(3);
    expect(run.stdout + run.stderr).toMatch(
      /diverged at step \d+ [^\n]*\n {2}last finite gradient norms: [^\n]*\n {2}first non-finite value \(re-run with checkNumerics\): \w+ float32\[[\d, ]+\] at [^\n]*network\.ts:\d+:\d+\), kernel k\d+_\w+; it read:\n {4}\S/,
    );
    const firstNonFinite = JSON.parse(readFileSync(join(out, "report.json"), "utf8")).divergence.firstNonFinite;
    expect(firstNonFinite.found).toBe(true);
    expect(firstNonFinite.callSite).toMatch(/network\.ts:\d+:\d+/);
  });
});
