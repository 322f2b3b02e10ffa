import { GraphError, Tensor, type Dim, type FloatTensor, type Shape, type Sizes, type Update } from "@gradfold/graph";
import { currentScope } from "./scope.ts";

// Re-exported so that a layer's imports stay in one place; the types live in graph.
export type { FloatTensor, Update };

/**
 * An input whose values are random and must change every step (a dropout mask).
 * The trainer feeds `generate(step, sizes)` under `input`'s name before each step;
 * the values depend only on the layer's seed, its name and `step`, so a run is
 * reproducible and a resumed run continues the same stream.
 */
export interface RandomInput {
  readonly input: FloatTensor;
  generate(step: number, sizes?: Sizes): Float32Array;
}

/**
 * What a layer (or a whole model) hands to the trainer:
 * - `output`: the result tensor;
 * - `params`: trainable params, by deterministic names (`"mlp/0/W"`), for `grad` and optimizers;
 * - `state`: non-trainable params (batch norm's running statistics), checkpointed but not differentiated;
 * - `updates`: `[stateParam, newValue]` pairs, merged with the optimizer's updates into one step;
 * - `randomInputs`: inputs to feed fresh each step (dropout masks).
 */
export interface Layer<S extends Shape = Shape> {
  readonly output: Tensor<S, "float32">;
  readonly params: readonly FloatTensor[];
  readonly state: readonly FloatTensor[];
  readonly updates: readonly Update[];
  readonly randomInputs: readonly RandomInput[];
}

/** A model is a layer: the same record, one level up. */
export type Model<S extends Shape = Shape> = Layer<S>;

/** A shape with its last (feature) axis replaced by `F`: what a dense layer does to its input's type. */
export type WithFeatures<S extends Shape, F extends number> = S extends readonly [...infer Lead extends Shape, Dim] ? [...Lead, F] : Dim[];

/** A building block: given an input, a layer or a bare tensor (a parameterless transform). */
export type LayerFn = (x: FloatTensor) => Layer | FloatTensor;

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

/** A layer with `output`, collecting the params, state, updates and random inputs of `parts`. */
export function layerOf<S extends Shape>(output: Tensor<S, "float32">, parts: ReadonlyArray<Partial<Omit<Layer, "output">>> = []): Layer<S> {
  if (!(output instanceof Tensor)) throw new GraphError(`layerOf: output must be a Tensor, got ${typeof output}`);
  const layer = {
    output,
    params: unique(parts.flatMap((p) => p.params ?? [])),
    state: unique(parts.flatMap((p) => p.state ?? [])),
    updates: unique(parts.flatMap((p) => p.updates ?? [])),
    randomInputs: unique(parts.flatMap((p) => p.randomInputs ?? [])),
  };
  // Inside a model build, the model collects every layer's pieces, even from layers
  // whose record the user's function drops (it may return a bare tensor).
  const scope = currentScope();
  if (scope) {
    for (const p of layer.params) scope.params.add(p);
    for (const s of layer.state) scope.state.add(s);
    for (const u of layer.updates) scope.updates.add(u);
    for (const r of layer.randomInputs) scope.randomInputs.add(r);
  }
  return layer;
}

/** Lifts a bare tensor to a parameterless layer. */
export function asLayer(result: Layer | FloatTensor): Layer {
  return result instanceof Tensor ? layerOf(result) : result;
}

/** Applies blocks one after another: the output of each is the input of the next. */
export function sequential(x: FloatTensor, blocks: readonly LayerFn[]): Layer {
  const parts: Layer[] = [];
  let h = x;
  for (const block of blocks) {
    const layer = asLayer(block(h));
    parts.push(layer);
    h = layer.output;
  }
  return layerOf(h, parts);
}

/** The name of an input or param node (what feeds, `read` and `write` key it by). */
export function nameOf(t: FloatTensor): string {
  if (!t.is("param") && !t.is("input")) throw new GraphError(`nameOf: expected a param or an input, got ${t.op}`);
  return t.params.name;
}

/**
 * The kernels (params named `…/W`) of a layer: what weight penalties usually apply to,
 * leaving biases and normalization scales alone. `cost(risk, l2(1e-4, kernels(model)))`.
 */
export function kernels(layer: Pick<Layer, "params">): FloatTensor[] {
  return layer.params.filter((p) => nameOf(p).endsWith("/W"));
}

/** The feeds of every random input for training step `step`, by input name. */
export function randomFeeds(layer: Pick<Layer, "randomInputs">, step: number, sizes: Sizes = {}): Record<string, Float32Array> {
  const feeds: Record<string, Float32Array> = {};
  for (const r of layer.randomInputs) feeds[nameOf(r.input)] = r.generate(step, sizes);
  return feeds;
}

/** The concrete size of x's last (feature) axis, or an error naming the layer. */
export function featuresOf(what: string, x: FloatTensor): number {
  if (!(x instanceof Tensor)) throw new GraphError(`${what}: expected a Tensor input, got ${typeof x}`);
  if (x.dtype !== "float32") throw new GraphError(`${what}: input must be float32, got ${x.dtype}`);
  const f = x.shape[x.shape.length - 1];
  if (x.shape.length === 0 || typeof f !== "number") {
    throw new GraphError(`${what}: input needs a concrete feature axis last, got shape ${JSON.stringify(x.shape)}`);
  }
  return f;
}
