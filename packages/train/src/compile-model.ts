import { GraphError, Tensor, type AnyTensor, type Sizes } from "@gradfold/graph";
import type { FloatTensor, Model as Network, ModelDefinition } from "@gradfold/nn";
import { compileEntries, compileEntriesAsync, type EntriesModel, type EntriesOptions, type EntriesSpec } from "./compile-entries.ts";

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

/** The input tensors in `inputs` (a tensor, or an array or record of tensors). */
function featuresOf(inputs: unknown): AnyTensor[] {
  const values = inputs instanceof Tensor ? [inputs] : Array.isArray(inputs) ? inputs : inputs && typeof inputs === "object" ? Object.values(inputs) : [];
  const features = values.filter((v): v is AnyTensor => v instanceof Tensor && v.is("input"));
  if (features.length === 0) throw new GraphError("compileModel: inputs must be an input tensor, or an array or record of input tensors");
  return features;
}

/**
 * A CompiledModel with three entries over one set of params, from one model function:
 * - `train` (training build): inputs + targets → `{ loss }`, applying the optimizer's
 *   updates and the network's own (batch-norm statistics); dropout masks come from
 *   `randomFeeds`, which `fit` calls;
 * - `evaluate` (inference build): inputs + targets → `{ loss, output }`, no updates;
 * - `predict` (inference build): inputs → `{ output }`.
 * So dropout, batch norm and the updates follow the entry with no wiring by the user.
 */
export function compileModel<I>(spec: ModelSpec<I>, options: EntriesOptions = {}): EntriesModel {
  return compileEntries(modelEntries(spec), options);
}

/** `compileModel` with an async step compiler (e.g. `@gradfold/train/node`'s threaded one). */
export function compileModelAsync<I>(spec: ModelSpec<I>, options: EntriesOptions = {}): Promise<EntriesModel> {
  return compileEntriesAsync(modelEntries(spec), options);
}

function modelEntries<I>(spec: ModelSpec<I>): EntriesSpec {
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
  return {
    entries: {
      train: { inputs: [...features, ...spec.targets], outputs: { loss: trainLoss, ...extra }, updates, random: train.randomInputs },
      evaluate: { inputs: [...features, ...spec.targets], outputs: { loss: inferLoss, output: infer.output } },
      predict: { inputs: features, outputs: { output: infer.output } },
    },
    sizes: spec.sizes,
  };
}
