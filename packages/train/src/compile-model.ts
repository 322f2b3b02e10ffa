import { compile, type CompileOptions, type ModelSpec as EntriesSpec, type Specializations, type StepFeeds, type StepResults } from "@gradfold/codegen";
import { GraphError, Tensor, type AnyTensor, type Sizes } from "@gradfold/graph";
import { leavesOf } from "@gradfold/graph/internal";
import type { FloatTensor, Model as Network, ModelDefinition, RandomInput } from "@gradfold/nn";
import { entryOf, type CompiledModel, type EntryInfo, type TensorInfo } from "./compiled-model.ts";

/** Anything with `updates(loss, params)`, as every @gradfold/optimizers optimizer. */
export interface UpdateRule {
  updates(loss: FloatTensor, params: readonly FloatTensor[]): ReadonlyArray<readonly [AnyTensor, AnyTensor]>;
}

export interface ModelSpec<I> {
  /** The model function, built once for training and once for inference (`defineModel`). */
  readonly network: ModelDefinition<I>;
  /** What the network is called with: an input tensor, or an array or record of them. */
  readonly inputs: I;
  /** Input tensors the loss compares against (labels), fed with the data in `train` and `evaluate`. */
  readonly targets: readonly AnyTensor[];
  /** The scalar loss from the network's output; `net` gives its params (for penalties). Called once per build. */
  loss(output: FloatTensor, net: Network): FloatTensor;
  readonly optimizer: UpdateRule;
  /** Sizes compiled up front, e.g. `{ batch: 128 }`; other sizes specialise on first use. */
  readonly sizes: Sizes;
  /** Added to the loss for the optimizer only (e.g. an L2 penalty on the kernels); the `loss` output stays the data loss. */
  penalty?(net: Network): FloatTensor;
  /** More outputs of the train entry (gradient norms, predictions), from the training build; `cost` is what the optimizer minimises. */
  trainOutputs?(context: { output: FloatTensor; loss: FloatTensor; cost: FloatTensor; net: Network }): Readonly<Record<string, AnyTensor>>;
}

/** What compileModel needs of a compiled model: codegen's CompiledModel, a threaded one, or a stand-in (a reference interpreter). */
export interface CompiledEntries {
  run(entry: string, feeds: StepFeeds, sizes?: Sizes): StepResults;
  read(name: string): Float32Array;
  write(name: string, data: Float32Array | Float64Array | readonly number[]): void;
  names(): string[];
  prepare?(sizes: Sizes): Promise<void>;
  specializations?(): Specializations;
  close?(): Promise<void>;
}

/**
 * Compiles the model's entries: default @gradfold/codegen's `compile`. Injectable so this
 * package stays browser-safe while Node callers pass a threaded one (`@gradfold/train/node`)
 * and tests a float64 reference. May return a Promise only with `compileModelAsync`.
 */
export type ModelCompiler = (spec: EntriesSpec, options: CompileOptions) => CompiledEntries | Promise<CompiledEntries>;

export interface CompileModelOptions extends CompileOptions {
  /** Compiles the entries; default @gradfold/codegen's `compile`. */
  readonly compiler?: ModelCompiler;
}

/** A compiled model for `fit`, `evaluate`, `predict` and the weights functions. */
export interface TrainModel extends CompiledModel {
  /** Compiles every entry at `sizes` ahead of use (threaded with a threaded compiler). */
  prepare(sizes: Sizes): Promise<void>;
  /** The compiler's cache of specializations for other sizes (absent for a compiler without one). */
  specializations(): Specializations | undefined;
  /** Releases what the compiled model holds (a threaded compiler's worker threads). */
  close(): Promise<void>;
}

/** The input tensors in `inputs` (a tensor, or an array or record of tensors). */
function featuresOf(inputs: unknown): AnyTensor[] {
  const values = inputs instanceof Tensor ? [inputs] : Array.isArray(inputs) ? inputs : inputs && typeof inputs === "object" ? Object.values(inputs) : [];
  const features = values.filter((v): v is AnyTensor => v instanceof Tensor && v.is("input"));
  if (features.length === 0) throw new GraphError("compileModel: inputs must be an input tensor, or an array or record of input tensors");
  return features;
}

/**
 * A model with three entries over one set of params, from one model function,
 * compiled as one codegen model (`compile({ entries, sizes })`):
 * - `train` (training build): inputs + targets → `{ loss }`, applying the optimizer's
 *   updates and the network's own (batch-norm statistics); dropout masks come from
 *   `randomFeeds`, which `fit` calls;
 * - `evaluate` (inference build): inputs + targets → `{ loss, output }`, no updates;
 * - `predict` (inference build): inputs → `{ output }`.
 * The two builds name their params alike, so they are one param: predict sees what
 * train updated, and dropout, batch norm and the updates follow the entry with no
 * wiring by the user. Other batch sizes specialise on first use over the same params.
 */
export function compileModel<I>(spec: ModelSpec<I>, options: CompileModelOptions = {}): TrainModel {
  const { compiler = compile, ...compileOptions } = options;
  const built = modelEntries(spec);
  const compiled = compiler(built.spec, compileOptions);
  if (compiled instanceof Promise) {
    void compiled.then((m) => m.close?.()).catch(() => {});
    throw new GraphError("compileModel: options.compiler returned a Promise; use compileModelAsync for an async compiler");
  }
  return trainModel(compiled, built);
}

/** `compileModel` with an async compiler (e.g. `@gradfold/train/node`'s threaded one). */
export async function compileModelAsync<I>(spec: ModelSpec<I>, options: CompileModelOptions = {}): Promise<TrainModel> {
  const { compiler = compile, ...compileOptions } = options;
  const built = modelEntries(spec);
  return trainModel(await compiler(built.spec, compileOptions), built);
}

interface BuiltEntries {
  readonly spec: EntriesSpec;
  /** Each entry's random inputs (dropout masks), fed by randomFeeds. */
  readonly random: ReadonlyMap<string, readonly RandomInput[]>;
}

function modelEntries<I>(spec: ModelSpec<I>): BuiltEntries {
  const features = featuresOf(spec.inputs);
  const train = spec.network.build(spec.inputs, { training: true });
  const infer = spec.network.build(spec.inputs, { training: false });
  const trainLoss = spec.loss(train.output, train);
  const inferLoss = spec.loss(infer.output, infer);
  for (const [what, loss] of [
    ["training", trainLoss],
    ["inference", inferLoss],
  ] as const) {
    if (!(loss instanceof Tensor) || loss.shape.length !== 0) {
      throw new GraphError(`compileModel: loss must return a scalar tensor, got ${loss instanceof Tensor ? `shape ${JSON.stringify(loss.shape)}` : typeof loss} (${what} build)`);
    }
  }
  const cost = spec.penalty ? (trainLoss.add(spec.penalty(train)) as FloatTensor) : trainLoss;
  const extra = spec.trainOutputs?.({ output: train.output, loss: trainLoss, cost, net: train }) ?? {};
  if (Object.hasOwn(extra, "loss")) throw new GraphError('compileModel: trainOutputs may not replace the output "loss"');
  const updates = [...spec.optimizer.updates(cost, train.params), ...train.updates];
  const trainInputs = [...features, ...spec.targets];
  for (const r of train.randomInputs) if (!trainInputs.includes(r.input)) trainInputs.push(r.input);
  return {
    spec: {
      entries: {
        train: { inputs: trainInputs, outputs: { loss: trainLoss, ...extra }, updates },
        evaluate: { inputs: [...features, ...spec.targets], outputs: { loss: inferLoss, output: infer.output } },
        predict: { inputs: features, outputs: { output: infer.output } },
      },
      sizes: spec.sizes,
    },
    random: new Map([["train", train.randomInputs]]),
  };
}

const nameOf = (t: AnyTensor): string => (t.params as { name: string }).name;
const info = (t: AnyTensor): TensorInfo => ({ name: nameOf(t), shape: [...t.shape], dtype: t.dtype });

/** The compiled entries with what fit/evaluate/predict read about them (EntryInfo) and the dropout masks' feeds. */
function trainModel(compiled: CompiledEntries, built: BuiltEntries): TrainModel {
  const { spec, random } = built;
  const sizes: Sizes = { ...spec.sizes };
  const names = compiled.names();
  // Each entry's params in graph order (the order the network made them), as the model names them.
  // Null-prototype records: entry names are data.
  const entries: Record<string, EntryInfo> = Object.create(null);
  for (const [name, entry] of Object.entries(spec.entries)) {
    const shapes = new Map(leavesOf([...Object.values(entry.outputs), ...(entry.updates ?? []).flat()]).params.map((p) => [nameOf(p), info(p)] as const));
    entries[name] = {
      inputs: entry.inputs.map(info),
      outputs: Object.entries(entry.outputs).map(([n, t]) => ({ name: n, shape: [...t.shape], dtype: t.dtype })),
      sizes,
      random: (random.get(name) ?? []).map((r) => nameOf(r.input)),
      params: [...shapes.values()].filter((p) => names.includes(p.name)),
    };
  }
  return {
    entries,
    run(entry: string, feeds, runSizes?: Sizes) {
      entryOf(this, entry, "run");
      return compiled.run(entry, feeds, runSizes);
    },
    read: (name) => compiled.read(name),
    write: (name, data) => compiled.write(name, data),
    names: () => compiled.names(),
    randomFeeds(entry: string, step: number, at: Sizes): Record<string, Float32Array> {
      entryOf(this, entry, "randomFeeds");
      const feeds: Record<string, Float32Array> = {};
      for (const r of random.get(entry) ?? []) feeds[nameOf(r.input)] = r.generate(step, { ...sizes, ...at });
      return feeds;
    },
    prepare: async (at: Sizes) => compiled.prepare?.(at),
    specializations: () => compiled.specializations?.(),
    close: async () => compiled.close?.(),
  };
}
