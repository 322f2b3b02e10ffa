import { GraphError, param } from "@gradfold/graph";
import type { FloatTensor, TransformContext, Update } from "./types.ts";

/** Name of a per-param state slot: `<prefix>/<param name>/<key>`, e.g. "adam/W1/m". */
export function slotName(prefix: string, p: FloatTensor, key: string): string {
  return `${prefix}/${paramName(p)}/${key}`;
}

/** The name of a param or state slot (an update target); `#<id>` for any other node. */
export function paramName(p: FloatTensor): string {
  return p.is("param") ? p.params.name : `#${p.id}`;
}

/** A fresh per-param state slot of the param's shape, filled with `init`. */
export function paramSlot(ctx: TransformContext, p: FloatTensor, key: string, init = 0): FloatTensor {
  return param(slotName(ctx.prefix, p, key), p.shape as readonly number[], { init }) as FloatTensor;
}

/** A fresh scalar state slot shared by all params of the optimizer: `<prefix>/<key>`. */
export function sharedSlot(ctx: TransformContext, key: string, init = 0): FloatTensor {
  return param(`${ctx.prefix}/${key}`, [], { init }) as FloatTensor;
}

/**
 * The update target called `name` — a param or a state slot — e.g. the step counter
 * "adam/step", to output a schedule's current value: `lr(targetNamed(updates, "adam/step"))`.
 */
export function targetNamed(updates: readonly Update[], name: string): FloatTensor {
  const found = updates.find(([t]) => paramName(t) === name);
  if (!found) throw new GraphError(`targetNamed: no update target is named ${JSON.stringify(name)}; targets are ${updates.map(([t]) => JSON.stringify(paramName(t))).join(", ")}`);
  return found[0];
}
