#!/usr/bin/env node
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { addCnnOptions, addTrainOptions, configFromOptions, nonNegativeInt, positiveInt, type TrainOptionValues } from "./cli-options.ts";
import type { TrainConfig } from "./config.ts";
import { nodeFiles, writeFileDurable } from "./io/durable-write.ts";
import { slowFiles } from "./io/slow-files.ts";
import { barProgress, lineProgress, type Progress } from "./report/progress.ts";
import { loadCheckpoint } from "./train/checkpoint.ts";
import { flagOf, resumeConfig } from "./train/resume.ts";
import type { CheckpointMeta, ConfigChanges } from "./train/run.ts";
import { RunFolder } from "./train/run-folder.ts";
import { RunLock } from "./train/run-lock.ts";

/** Exit codes: 0 done, 1 bad input or error, 3 diverged, 130 interrupted (Ctrl-C, after saving a checkpoint). */
export const exitCodes = { ok: 0, error: 1, diverged: 3, interrupted: 130 } as const;

// pnpm runs the script in apps/trainer; relative paths are meant from where the user typed the command.
const userCwd = process.env.INIT_CWD ?? process.cwd();
const fromUser = (path: string) => resolve(userCwd, path);

function chooseProgress(kind: string): Progress {
  if (kind === "bar" || (kind === "auto" && process.stdout.isTTY)) return barProgress();
  if (kind === "none") return { epochStart() {}, batch() {}, epochEnd() {}, log: (l) => process.stdout.write(`${l}\n`), stop() {} };
  return lineProgress();
}

/**
 * First Ctrl-C (or SIGTERM, as a job runner sends): finish the current step, save a
 * checkpoint, exit 130. A second one: exit at once.
 */
function interruptFlag(progress: Progress): () => boolean {
  let requested = false;
  const onSignal = () => {
    if (requested) process.exit(exitCodes.interrupted);
    requested = true;
    progress.log("interrupt: saving a checkpoint after this step (Ctrl-C again to quit now)");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => requested;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, "-").replace(/Z$/, "");
}

interface TrainCommandOptions extends TrainOptionValues {
  out?: string;
  resume?: string;
  force?: boolean;
  checkpointEvery: number;
  progress: string;
  debugSlowWrites?: number;
}

/** Options of `train` that are not settings of the run. */
const notSettings = new Set(["out", "resume", "force", "progress", "debugSlowWrites"]);

/** The options the user typed (not defaults): what a resume is asked to change. */
function explicitOptions(o: TrainCommandOptions, command: Command): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([key]) => !notSettings.has(key) && command.getOptionValueSource(key) === "cli"));
}

function readFolderConfig(folder: RunFolder): TrainConfig | null {
  if (!existsSync(folder.configPath)) return null;
  try {
    return JSON.parse(readFileSync(folder.configPath, "utf8")) as TrainConfig;
  } catch (err) {
    throw new Error(`cannot read ${folder.configPath}: ${(err as Error).message}`);
  }
}

interface OpenedRun {
  readonly config: TrainConfig;
  readonly folder: RunFolder;
  readonly lock: RunLock;
  /** What a resume changed (empty for a new run). */
  readonly changes: ConfigChanges;
}

/** --resume: the folder's lock, then the checkpoint's config with the allowed overrides. */
function openResumedRun(o: TrainCommandOptions, command: Command, folder: RunFolder, progress: Progress): OpenedRun {
  if (o.out !== undefined && fromUser(o.out) !== folder.dir) throw new Error("--resume continues the run in its own folder; leave out --out");
  if (!existsSync(folder.dir)) throw new Error(`--resume ${folder.dir}: no such folder`);
  const lock = RunLock.acquire(folder.dir);
  try {
    const ckpt = loadCheckpoint<CheckpointMeta>(folder.checkpointPath);
    const { config, changes } = resumeConfig(ckpt.meta.config, ckpt.meta.state, readFolderConfig(folder), explicitOptions(o, command), folder.checkpointPath);
    for (const [key, c] of Object.entries(changes)) progress.log(`resume: ${flagOf(key)} ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`);
    return { config, folder, lock, changes };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** A new run: its config from the options, and a folder that holds no other run (unless --force), locked. */
function openNewRun(o: TrainCommandOptions, folder: RunFolder): OpenedRun {
  let config = configFromOptions(o, { checkpointEvery: o.checkpointEvery });
  if (config.data.source === "csv") config = { ...config, data: { ...config.data, path: fromUser(config.data.path) } };
  if (config.data.source === "mnist" && config.data.dir) config = { ...config, data: { ...config.data, dir: fromUser(config.data.dir) } };
  const earlier = folder.existingRunFiles();
  if (earlier.length > 0 && !o.force) {
    throw new Error(`--out ${folder.dir} holds another run (${earlier.join(", ")}); continue it with --resume ${folder.dir}, replace it with --force, or choose another --out`);
  }
  folder.create();
  return { config, folder, lock: RunLock.acquire(folder.dir), changes: {} };
}

async function trainCommand(o: TrainCommandOptions, command: Command): Promise<number> {
  // Listen for Ctrl-C before the slow part (loading data, compiling) so it never kills a run mid-setup.
  const progress = chooseProgress(o.progress);
  const stopRequested = interruptFlag(progress);
  const files = o.debugSlowWrites ? slowFiles(o.debugSlowWrites) : nodeFiles;
  const { config, folder, lock, changes } =
    o.resume !== undefined
      ? openResumedRun(o, command, new RunFolder(fromUser(o.resume), files), progress)
      : openNewRun(o, new RunFolder(fromUser(o.out ?? `runs/${timestamp()}`), files));
  if (lock.replaced) progress.log(`replaced a stale lock of pid ${lock.replaced.pid} (started ${lock.replaced.startedAt}), which is no longer running`);
  try {
    // Loaded on use: --help and option errors stay fast without codegen and the plotting library.
    const [{ chooseBackend }, { runTraining }, { makeOptimizer }] = await Promise.all([
      import("./train/backends.ts"),
      import("./train/run.ts"),
      import("./train/optimizer-choice.ts"),
    ]);
    const backend = chooseBackend(config.backend, config.threads);
    const threads = backend.name === "compiled" ? `, ${backend.threads} thread${backend.threads === 1 ? "" : "s"}` : "";
    progress.log(`gradfold-train: ${describeRun(config)}; backend ${backend.name}${threads}; run folder ${folder.dir}`);
    const deps = { backend, makeOptimizer, progress, stopRequested };
    const report = await runTraining(config, folder, o.resume !== undefined, deps, changes);
    if (report.status === "interrupted") return exitCodes.interrupted;
    if (report.status === "diverged") return exitCodes.diverged;
    return exitCodes.ok;
  } finally {
    lock.release();
  }
}

export function describeRun(c: TrainConfig): string {
  const data = c.data.source === "mnist" ? "MNIST" : `${c.data.path} (target ${c.data.target})`;
  const model = {
    mlp: () => `MLP ${c.layers.join("-")} ${c.activation}`,
    residual: () => `residual ${c.depth}x${c.width} ${c.activation}`,
    cnn: () => `CNN conv ${c.channels.join("-")} (${c.kernel}x${c.kernel}, max-pool 2) dense ${c.dense} ${c.activation}`,
  }[c.model]();
  return `${data}, ${model}, ${c.optimizer} lr ${c.lr}${c.schedule === "constant" ? "" : ` (${c.schedule})`}, batch ${c.batchSize}, ${c.epochs} epochs, seed ${c.seed}`;
}

export function buildProgram(): Command {
  const program = new Command("gradfold-train")
    .description("Train neural networks with gradfold: MNIST by default, or your own CSV; run the lecture's experiments; emit standalone trainers.")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for every option)")
    .addHelpText(
      "after",
      [
        "",
        "train is the default command: `gradfold-train --epochs 3` trains (its options are listed above; `gradfold-train train --help` shows them alone).",
        "",
        "Examples:",
        "  gradfold-train                                   MNIST, MLP 784-256-128-10 ReLU, Adam, batch 128, 10 epochs",
        "  gradfold-train --epochs 1 --out runs/quick       one epoch into runs/quick",
        "  gradfold-train --model cnn                       MNIST, CNN conv 5x5x32 → pool → conv 5x5x64 → pool → dense 128, 4 epochs: 99 %",
        "  gradfold-train --resume runs/quick --epochs 3    continue a stopped (Ctrl-C) or finished run",
        "  gradfold-train --data file.csv --target label    your own data",
        "  gradfold-train experiment gradients              vanishing/exploding gradients, plots + summary.md",
        "  gradfold-train emit --out trainer.mjs            a standalone trainer: node trainer.mjs",
        "",
        "Exit codes: 0 done, 1 error, 3 diverged (NaN/Inf), 130 interrupted (checkpoint saved).",
      ].join("\n"),
    );

  const train = addTrainOptions(
    program.command("train", { isDefault: true }).description("train a model (the default command): MNIST, MLP 784-256-128-10 ReLU, Adam, batch 128 unless told otherwise"),
  )
    .option("--out <dir>", "run folder for config.json, metrics.jsonl, report.json, loss.svg, accuracy.svg, checkpoint.bin (default: runs/<time>)")
    .option(
      "--resume <dir>",
      "continue the run in <dir> from its checkpoint, exactly as if it had not stopped; may change --lr, --schedule, --clip-norm, --epochs (more), --patience",
    )
    .option("--force", "let --out replace the earlier run in that folder (its files are removed once the new run has started)")
    .option("--checkpoint-every <steps>", "also save a checkpoint every n steps (0: only at epoch ends)", nonNegativeInt, 200)
    .addOption(new Option("--progress <kind>", "progress display: a bar per epoch on a terminal, plain lines otherwise").choices(["auto", "bar", "lines", "none"]).default("auto"))
    // A test hook: slow, short writes keep a checkpoint write in progress long enough to kill the process in it.
    .addOption(new Option("--debug-slow-writes <ms>").argParser(positiveInt).hideHelp())
    .action(async (o: TrainCommandOptions, command: Command) => {
      process.exitCode = await trainCommand(o, command);
    });

  // The top-level help leads with what most users want: train's options, then the other commands.
  const rootHelp = program.helpInformation.bind(program);
  program.helpInformation = (context) => {
    const root = rootHelp(context);
    const options = train.helpInformation(context).split("Options:\n")[1] ?? "";
    return `${root.slice(0, root.indexOf("Options:"))}Training options (train, the default command):\n${options}\n${root.slice(root.indexOf("Commands:"))}`;
  };

  addCnnOptions(program.command("experiment"))
    .description("run one of the lecture's experiments on MNIST; writes SVG plots and summary.md into --out")
    .addArgument(
      new Argument(
        "<name>",
        "gradients: per-layer gradient norms of 20-layer sigmoid/tanh/relu/residual nets; optimizers: SGD ... AdamW loss curves and wall time; init: initializer scale vs vanishing/exploding gradients",
      ).choices(["gradients", "optimizers", "init"] satisfies ExperimentName[]),
    )
    .option("--out <dir>", "folder for the plots and summary.md (default: runs/experiment-<name>)")
    .option("--steps <n>", "training steps per configuration", positiveInt)
    .option("--limit-train <n>", "MNIST training examples to draw batches from", positiveInt, 10_000)
    .option("--batch-size <n>", "examples per step", positiveInt, 64)
    .option("--seed <n>", "seed of init and data order, shared by all configurations", nonNegativeInt, 1)
    .addOption(new Option("--backend <name>", "step backend").choices(["auto", "compiled", "reference"]).default("auto"))
    .addOption(
      new Option("--model <kind>", "gradients and init: deep MLPs (mlp) or the CNN (cnn, shaped by --channels, --kernel, --dense) with each unit and init")
        .choices(["mlp", "cnn"])
        .default("mlp"),
    )
    .action(async (name: ExperimentName, o: ExperimentCliOptions) => {
      const log = (l: string) => process.stdout.write(`${l}\n`);
      const { chooseBackend } = await import("./train/backends.ts");
      const backend = chooseBackend(o.backend);
      const { run, steps } = await experiments[name]();
      const out = fromUser(o.out ?? `runs/experiment-${name}`);
      if (o.model === "cnn" && name === "optimizers") throw new InvalidArgumentError("experiment optimizers compares MLP widths; --model cnn applies to gradients and init");
      const cnn = { channels: o.channels, kernel: o.kernel, dense: o.dense };
      await run({ out, seed: o.seed, steps: o.steps ?? steps, limitTrain: o.limitTrain, batchSize: o.batchSize, backend, log, model: o.model, cnn });
      log(`experiment ${name}: plots and summary.md in ${out}`);
    });
  addTrainOptions(
    program
      .command("emit")
      .description(
        "write a standalone trainer (an ES module needing only node) for MNIST with the given model and optimizer; with the same seed it gives the same loss curve as the in-process run",
      ),
  )
    .requiredOption("--out <file.mjs>", "where to write the trainer; run it with `node <file.mjs> [--epochs N] [--mnist-dir DIR] [--metrics FILE]`")
    .action(async (o: TrainOptionValues & { out: string }) => {
      const { standaloneTrainerSource } = await import("./emit/standalone.ts");
      const config = configFromOptions(o);
      const source = standaloneTrainerSource(config, describeRun(config));
      const out = fromUser(o.out);
      writeFileDurable(out, source, nodeFiles, 0o755);
      process.stdout.write(`wrote ${out} (${(source.length / 1e6).toFixed(1)} MB): node ${o.out} --help\n`);
    });
  return program;
}

interface ExperimentCliOptions {
  out?: string;
  steps?: number;
  limitTrain: number;
  batchSize: number;
  seed: number;
  backend: TrainConfig["backend"];
  model: "mlp" | "cnn";
  channels: number[];
  kernel: number;
  dense: number;
}

/** The experiments and their default number of steps per configuration. */
const experiments = {
  gradients: async () => ({ run: (await import("./experiments/gradients.ts")).gradientsExperiment, steps: 300 }),
  optimizers: async () => ({ run: (await import("./experiments/optimizers.ts")).optimizersExperiment, steps: 500 }),
  init: async () => ({ run: (await import("./experiments/init.ts")).initExperiment, steps: 200 }),
};
type ExperimentName = keyof typeof experiments;

export async function main(argv: readonly string[]): Promise<void> {
  // `pnpm train -- --epochs 1` passes the `--` along; it is not an end-of-options marker here.
  const args = argv[2] === "--" ? [...argv.slice(0, 2), ...argv.slice(3)] : [...argv];
  try {
    await buildProgram().parseAsync(args);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exitCode = exitCodes.error;
  }
}

await main(process.argv);
