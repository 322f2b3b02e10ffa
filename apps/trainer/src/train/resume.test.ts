import { describe, expect, it } from "vitest";
import { defaultConfig } from "../config.ts";
import { initialRunState, type RunState } from "./run-state.ts";
import { flagOf, resumeConfig } from "./resume.ts";

const saved = { ...defaultConfig, epochs: 5 };
const midEpoch3: RunState = { ...initialRunState(), epoch: 2, batch: 7, step: 300 };

describe("resumeConfig", () => {
  it("applies overrides of what may change mid-run and lists each change", () => {
    const { config, changes } = resumeConfig(saved, midEpoch3, saved, { lr: 0.01, clipNorm: 1, epochs: 8, patience: 2, schedule: "constant", layers: [256, 128] }, "ckpt");
    expect(config).toEqual({ ...saved, lr: 0.01, clipNorm: 1, epochs: 8, patience: 2, schedule: "constant" });
    expect(changes).toEqual({
      lr: { from: 0.001, to: 0.01 },
      clipNorm: { from: 0, to: 1 },
      epochs: { from: 5, to: 8 },
      patience: { from: 0, to: 2 },
      schedule: { from: "cosine", to: "constant" },
    });
  });

  it("with no overrides returns the checkpoint's config unchanged", () => {
    expect(resumeConfig(saved, midEpoch3, null, {}, "ckpt")).toEqual({ config: saved, changes: {} });
  });

  it("refuses what cannot change, naming the flag and why", () => {
    expect(() => resumeConfig(saved, midEpoch3, saved, { layers: [64] }, "ckpt")).toThrow(
      "--resume: --layers cannot change in the middle of a run (the checkpoint holds params of the layer widths",
    );
    expect(() => resumeConfig(saved, midEpoch3, saved, { optimizer: "sgd" }, "ckpt")).toThrow(/--optimizer cannot change .*optimizer the run started with/);
    expect(() => resumeConfig(saved, midEpoch3, saved, { data: "other.csv" }, "ckpt")).toThrow(/--data cannot change .*the data the run started with/);
    expect(() => resumeConfig(saved, midEpoch3, saved, { mnistDir: "/x" }, "ckpt")).toThrow(/--mnist-dir cannot change/);
    expect(() => resumeConfig(saved, midEpoch3, saved, { batchSize: 64 }, "ckpt")).toThrow(/--batch-size cannot change/);
  });

  it("refuses --epochs below the epochs done or begun", () => {
    expect(() => resumeConfig(saved, midEpoch3, saved, { epochs: 2 }, "ckpt")).toThrow(
      "--epochs 2 is fewer than the 3 epochs this run has already done or begun; give --epochs 3 or more",
    );
    expect(resumeConfig(saved, midEpoch3, saved, { epochs: 3 }, "ckpt").config.epochs).toBe(3);
    expect(resumeConfig(saved, { ...midEpoch3, batch: 0 }, saved, { epochs: 2 }, "ckpt").config.epochs).toBe(2);
  });

  it("refuses a checkpoint whose model or data is not the folder's (copied from another run); resume-changeable settings may differ", () => {
    expect(() => resumeConfig(saved, midEpoch3, { ...saved, layers: [64] }, {}, "run/checkpoint.bin")).toThrow(
      "run/checkpoint.bin belongs to another run: its config differs from this folder's config.json (layers [256,128] vs [64]); resume the run it came from",
    );
    // Those come from config.json: an earlier resume's changes carry on even if it saved no checkpoint.
    expect(resumeConfig(saved, midEpoch3, { ...saved, lr: 0.5, epochs: 9 }, {}, "ckpt")).toEqual({ config: { ...saved, lr: 0.5, epochs: 9 }, changes: {} });
  });

  it("spells flags as the CLI does", () => {
    expect([flagOf("clipNorm"), flagOf("lr"), flagOf("lrStepEpochs")]).toEqual(["--clip-norm", "--lr", "--lr-step-epochs"]);
  });
});
