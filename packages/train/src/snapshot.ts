import type { Model } from "./model.ts";

/** Every param and state slot of a model, copied: what `restore` puts back. */
export type Snapshot = ReadonlyMap<string, Float32Array>;

export function snapshot(model: Model): Snapshot {
  return new Map(model.names().map((n) => [n, model.read(n)]));
}

export function restore(model: Model, saved: Snapshot): void {
  for (const [name, value] of saved) model.write(name, value);
}
