import { GraphError, Tensor } from "@gradfold/graph";
import { layerOf, type FloatTensor, type Layer, type Model } from "./layer.ts";
import { withScope } from "./scope.ts";

export interface BuildOptions {
  /**
   * Training builds drop (dropout) and normalise by batch statistics while updating the
   * running ones (batch norm); inference builds are the identity and use the running
   * statistics. Layers given an explicit `training` option keep it.
   */
  training: boolean;
}

/** One model function, built once per mode over the same param names. */
export interface ModelDefinition<I> {
  /** Runs the model function in a build scope and returns everything its layers made. */
  build(inputs: I, options: BuildOptions): Model;
}

/**
 * A model as a function of its inputs, built per mode. Inside the function:
 * - layer names are unique: unnamed layers are numbered in call order (`dense`,
 *   `dense_1`, …) and a name given twice is an error naming both call sites, so two
 *   builds (training, inference) get the same param names and share weights by name;
 * - dropout and batch norm follow the build's mode without a `training` option;
 * - every layer's params, state, updates and random inputs are collected, so the
 *   function may return a bare tensor and nothing is lost.
 *
 * ```ts
 * const net = defineModel((x: FloatTensor) => {
 *   const h = dropout(dense(x, 256, { activation: "relu" }).output, { rate: 0.2 }).output;
 *   return dense(h, 10);
 * });
 * const train = net.build(x, { training: true });   // train.randomInputs: the dropout mask
 * const infer = net.build(x, { training: false });  // same params by name, no mask
 * ```
 */
export function defineModel<I>(fn: (inputs: I) => Layer | FloatTensor): ModelDefinition<I> {
  if (typeof fn !== "function") throw new GraphError(`defineModel: expected a model function (inputs) => Layer | Tensor, got ${typeof fn}`);
  return {
    build(inputs: I, options: BuildOptions): Model {
      if (typeof options?.training !== "boolean") {
        throw new GraphError(`defineModel(...).build: options.training must be true or false, got ${JSON.stringify(options?.training)}`);
      }
      const { result, scope } = withScope(options.training, () => fn(inputs));
      const output = result instanceof Tensor ? result : result?.output;
      if (!(output instanceof Tensor)) throw new GraphError(`defineModel: the model function must return a Layer or a Tensor, got ${typeof result}`);
      const collected = {
        params: [...scope.params],
        state: [...scope.state],
        updates: [...scope.updates],
        randomInputs: [...scope.randomInputs],
      };
      // Creation order first (what the user reads top to bottom), then anything the result brought from outside the build.
      return layerOf(output as FloatTensor, result instanceof Tensor ? [collected] : [collected, result]);
    },
  };
}
