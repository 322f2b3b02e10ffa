import type { CompiledModel } from "./compiled-model.ts";

/** Every param and state slot of a model, copied: what `restore` puts back. */
export type Snapshot = ReadonlyMap<string, Float32Array>;

export function snapshot(model: CompiledModel): Snapshot {
  return new Map(model.names().map((n) => [n, model.read(n)]));
}

export function restore(model: CompiledModel, saved: Snapshot): void {
  for (const [name, value] of saved) model.write(name, value);
}
