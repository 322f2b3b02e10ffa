import { formatShape } from "@gradfold/graph";
import type { CompiledModel, TensorInfo } from "./compiled-model.ts";
import { decodeSafetensors, encodeSafetensors, float32Of } from "./safetensors.ts";

export interface SaveWeightsOptions {
  /** Also save the optimizer's state slots (every name the model has); default false: only the weights. */
  optimizerState?: boolean;
  /** The inference entry whose params are "the weights" (batch-norm statistics included); default "predict". */
  entry?: string;
  /** Extra `__metadata__` strings. */
  metadata?: Readonly<Record<string, string>>;
}

/** Every param and state slot of the model, by name, with its shape. */
function shapesOf(model: CompiledModel): Map<string, TensorInfo> {
  const shapes = new Map<string, TensorInfo>();
  for (const entry of Object.values(model.entries)) for (const p of entry.params) if (!shapes.has(p.name)) shapes.set(p.name, p);
  return shapes;
}

/** The names that are weights (read by the inference entry), as opposed to optimizer state. */
function weightNames(model: CompiledModel, entry: string): string[] {
  const info = Object.hasOwn(model.entries, entry) ? model.entries[entry] : undefined;
  if (!info) {
    throw new Error(`weights: the model has no entry ${JSON.stringify(entry)} to tell weights from optimizer state; pass { entry } or { optimizerState: true }`);
  }
  return info.params.map((p) => p.name);
}

/**
 * The model's weights as a safetensors file (float32, names as in the model, shapes
 * as the params'), readable by Python's `safetensors.numpy.load` / `safetensors.torch.load_file`.
 */
export function saveWeights(model: CompiledModel, options: SaveWeightsOptions = {}): Uint8Array {
  const { optimizerState = false, entry = "predict", metadata = {} } = options;
  const shapes = shapesOf(model);
  const names = optimizerState ? model.names() : weightNames(model, entry);
  const tensors = new Map(
    names.map((name) => {
      const data = model.read(name);
      const shape = shapes.get(name)?.shape.map(Number) ?? [data.length];
      return [name, { shape, data }];
    }),
  );
  return encodeSafetensors(tensors, { format: "pt", producer: "gradfold", optimizerState: String(optimizerState), ...metadata });
}

export interface LoadWeightsOptions {
  /** The inference entry whose params must all be in the file; default "predict". */
  entry?: string;
}

/**
 * Loads a safetensors file into the model. Every tensor must name a param or state slot
 * of the model with dtype F32 and the same shape, and every weight must be present
 * (optimizer state may be absent: it is then left as is). Everything is checked before
 * anything is written, so on any mismatch the model is unchanged.
 * Returns the names loaded and the file's metadata.
 */
export function loadWeights(model: CompiledModel, bytes: Uint8Array, options: LoadWeightsOptions = {}): { names: string[]; metadata: Record<string, string> } {
  const file = decodeSafetensors(bytes);
  const shapes = shapesOf(model);
  const known = new Set(model.names());
  const problems: string[] = [];
  const values = new Map<string, Float32Array>();
  for (const [name, tensor] of file.tensors) {
    if (!known.has(name)) {
      problems.push(`${JSON.stringify(name)} is not a param or state slot of the model`);
      continue;
    }
    const expected = shapes.get(name)?.shape.map(Number) ?? [model.read(name).length];
    if (tensor.dtype !== "F32") problems.push(`${JSON.stringify(name)} has dtype ${tensor.dtype}, expected F32`);
    else if (formatShape(tensor.shape) !== formatShape(expected))
      problems.push(`${JSON.stringify(name)} has shape ${formatShape(tensor.shape)}, expected ${formatShape(expected)}`);
    else values.set(name, float32Of(tensor));
  }
  for (const name of weightNames(model, options.entry ?? "predict")) if (!file.tensors.has(name)) problems.push(`${JSON.stringify(name)} is missing from the file`);
  if (problems.length > 0) throw new Error(`loadWeights: the file does not match the model, nothing was loaded: ${problems.join("; ")}`);
  for (const [name, value] of values) model.write(name, value);
  return { names: [...values.keys()], metadata: { ...file.metadata } };
}
