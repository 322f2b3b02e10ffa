import { GraphError } from "@gradfold/graph";
import { userCallSite } from "@gradfold/graph/internal";
import type { FloatTensor, RandomInput, Update } from "./layer.ts";

/**
 * What a model build is doing while its function runs: the mode (training or
 * inference), the layer names taken so far with where each was taken, and every
 * param, state slot, update and random input a layer made, so the model collects
 * them without the user threading each layer's record through.
 *
 * Builds are synchronous, so the active build is a stack held here rather than an
 * argument every layer would need; outside a build nothing is recorded and layers keep
 * their fixed default names (the pre-build behaviour).
 */
export interface BuildScope {
  readonly training: boolean;
  readonly names: Map<string, string>;
  readonly params: Set<FloatTensor>;
  readonly state: Set<FloatTensor>;
  readonly updates: Set<Update>;
  readonly randomInputs: Set<RandomInput>;
}

const active: BuildScope[] = [];

/** Runs `fn` inside a new build scope (a nested build shares its parent's names) and returns the scope with the result. */
export function withScope<T>(training: boolean, fn: () => T): { result: T; scope: BuildScope } {
  const parent = active[active.length - 1];
  const scope: BuildScope = {
    training,
    names: parent?.names ?? new Map(),
    params: new Set(),
    state: new Set(),
    updates: new Set(),
    randomInputs: new Set(),
  };
  active.push(scope);
  try {
    return { result: fn(), scope };
  } finally {
    active.pop();
  }
}

/** The innermost active build, if any. */
export function currentScope(): BuildScope | undefined {
  return active[active.length - 1];
}

/**
 * The mode of the model being built: true while building for training, false for
 * inference, undefined outside `defineModel(...).build`. Custom layers read it as
 * dropout and batch norm do.
 */
export function trainingMode(): boolean | undefined {
  return currentScope()?.training;
}

/**
 * A layer's name. Inside a build, an explicit name must be new (a clash is an error
 * naming both call sites) and a missing one becomes `kind`, `kind_1`, `kind_2`, … in
 * build order, so two builds of one model function give the same names.
 * Outside a build: the explicit name, else `kind`.
 */
export function layerName(kind: string, explicit: string | undefined): string {
  const scope = currentScope();
  if (explicit !== undefined && (typeof explicit !== "string" || explicit.length === 0)) {
    throw new GraphError(`${kind}: name must be a non-empty string, got ${JSON.stringify(explicit)}`);
  }
  if (!scope) return explicit ?? kind;
  const site = userCallSite() ?? "an unknown call site";
  if (explicit !== undefined) {
    const first = scope.names.get(explicit);
    if (first !== undefined) {
      throw new GraphError(
        `${kind}: layer name ${JSON.stringify(explicit)} is already taken in this model (first at ${first}, again at ${site}); give each layer its own name or leave it out`,
      );
    }
    scope.names.set(explicit, site);
    return explicit;
  }
  for (let i = 0; ; i++) {
    const name = i === 0 ? kind : `${kind}_${i}`;
    if (!scope.names.has(name)) {
      scope.names.set(name, site);
      return name;
    }
  }
}
