import type { TrainConfig } from "../config.ts";
import { CheckpointError } from "./checkpoint.ts";
import type { RunState } from "./run-state.ts";
import type { ConfigChanges } from "./run.ts";

type Key = keyof TrainConfig;

/** Settings a resumed run may change: they steer the rest of the run, not what was already learned. */
export const changeableOnResume = [
  "lr",
  "schedule",
  "warmupSteps",
  "lrGamma",
  "lrStepEpochs",
  "clipNorm",
  "epochs",
  "patience",
  "checkpointEvery",
  "backend",
  "threads",
] as const satisfies readonly Key[];

/** Why each other setting is fixed for a run's lifetime; the message a refused flag gets. */
const fixedBecause: Record<Exclude<Key, (typeof changeableOnResume)[number]>, string> = {
  data: "the split and the batch order come from the data the run started with",
  validationSize: "the validation split is fixed when the run starts",
  testSize: "the test split is fixed when the run starts",
  limitTrain: "the training set is fixed when the run starts",
  limitTest: "the test set is fixed when the run starts",
  model: "the checkpoint holds the params of the model the run started with",
  layers: "the checkpoint holds params of the layer widths the run started with",
  activation: "the params were learned for the activation the run started with",
  depth: "the checkpoint holds the params of the model the run started with",
  width: "the checkpoint holds the params of the model the run started with",
  channels: "the checkpoint holds the params of the conv layers the run started with",
  kernel: "the checkpoint holds the params of the conv layers the run started with",
  dense: "the checkpoint holds the params of the model the run started with",
  init: "the params were initialised when the run started",
  dropout: "the dropout masks continue from the checkpoint's random stream",
  loss: "the cost being minimised is fixed for the run",
  l2: "the cost being minimised is fixed for the run",
  l1: "the cost being minimised is fixed for the run",
  optimizer: "the checkpoint holds the state of the optimizer the run started with",
  momentum: "it shapes the optimizer state the checkpoint holds",
  beta1: "it shapes the optimizer state the checkpoint holds",
  beta2: "it shapes the optimizer state the checkpoint holds",
  eps: "it shapes the optimizer state the checkpoint holds",
  alpha: "it shapes the optimizer state the checkpoint holds",
  weightDecay: "it is part of the optimizer the run started with",
  batchSize: "the batch order continues from the checkpoint",
  evalBatchSize: "the evaluation step is built for it",
  seed: "the batch order and dropout masks continue from the checkpoint's random streams",
};

/** Options that together make the `data` setting. */
const dataFlags: readonly string[] = ["data", "target", "task", "mnistDir"];

/** The CLI flag of a setting: `clipNorm` → `--clip-norm`. */
export const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Epochs a run has done or begun: a smaller --epochs would end it in the middle of what is done. */
const epochsReached = (state: RunState) => state.epoch + (state.batch > 0 ? 1 : 0);

/**
 * The config a resumed run continues with: the checkpoint's (with the changeable
 * settings as config.json last recorded them), with the explicit overrides of
 * settings that may change mid-run. Refuses, naming the flag and why, an
 * override of anything else, an --epochs below what is done, and a checkpoint whose
 * config is not the folder's (copied from another run).
 */
export function resumeConfig(
  saved: TrainConfig,
  state: RunState,
  folderConfig: TrainConfig | null,
  overrides: Readonly<Record<string, unknown>>,
  source: string,
): { config: TrainConfig; changes: ConfigChanges } {
  if (folderConfig) {
    const differing = (Object.keys(fixedBecause) as Key[]).filter((k) => !same(saved[k], folderConfig[k]));
    if (differing.length > 0) {
      const detail = differing.map((k) => `${k} ${JSON.stringify(saved[k])} vs ${JSON.stringify(folderConfig[k])}`).join(", ");
      throw new CheckpointError(`${source} belongs to another run: its config differs from this folder's config.json (${detail}); resume the run it came from`);
    }
  }
  // Settings changed by an earlier resume live in config.json (and config-history.jsonl) even
  // when that resume saved no checkpoint after them; they carry on unless changed again.
  const carried = folderConfig ? Object.fromEntries(changeableOnResume.filter((k) => folderConfig[k] !== undefined).map((k) => [k, folderConfig[k]])) : {};
  saved = { ...saved, ...carried };
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, value] of Object.entries(overrides) as [Key, unknown][]) {
    // The data flags make up one setting, `data`: any of them given again is a change of data.
    if (dataFlags.includes(key))
      throw new Error(`--resume: ${flagOf(key)} cannot change in the middle of a run (${fixedBecause.data}); leave it out to continue, or start a new run with --out`);
    if (value === undefined || same(value, saved[key])) continue;
    if (!(changeableOnResume as readonly Key[]).includes(key)) {
      throw new Error(
        `--resume: ${flagOf(key)} cannot change in the middle of a run (${fixedBecause[key as keyof typeof fixedBecause] ?? "it is fixed for the run"}); start a new run with --out to try it`,
      );
    }
    changes[key] = { from: saved[key], to: value };
  }
  const config = { ...saved, ...Object.fromEntries(Object.entries(changes).map(([k, c]) => [k, c.to])) } as TrainConfig;
  if (config.epochs < epochsReached(state)) {
    throw new Error(
      `--resume: --epochs ${config.epochs} is fewer than the ${epochsReached(state)} epochs this run has already done or begun; give --epochs ${epochsReached(state)} or more`,
    );
  }
  return { config, changes };
}
