import { add, grad, GraphError, param, Tensor, formatShape } from "@gradfold/graph";
import { leavesOf, sameShape } from "@gradfold/graph/internal";
import { paramName } from "./slots.ts";
import type { FloatTensor, GradientTransformation, Optimizer, Scalar, TransformContext, Update } from "./types.ts";

export interface OptimizerOptions {
  /** Prefix of every state slot name; give two instances in one program different names. Defaults to the optimizer's own name. */
  name?: string;
}

/**
 * Binds a transform chain to a name. `apply` runs the chain on the gradients, adds
 * the resulting updates to the params (optax `apply_updates`), assigns the chain's
 * state slots and advances the step counter `<name>/step`.
 */
export function optimizer(transform: GradientTransformation, name: string): Optimizer {
  if (typeof name !== "string" || name.length === 0) throw new GraphError(`optimizer: name must be a non-empty string, got ${JSON.stringify(name)}`);
  const apply = (grads: readonly Tensor[], params: readonly Tensor[]): Update[] => {
    checkParams(name, params);
    if (!Array.isArray(grads) || grads.length !== params.length) {
      throw new GraphError(`${name}: expected ${params.length} gradients (one per param), got ${Array.isArray(grads) ? grads.length : typeof grads}`);
    }
    grads.forEach((g, i) => {
      const p = params[i];
      if (!(g instanceof Tensor) || g.dtype !== "float32" || !sameShape(g.shape, p.shape)) {
        const got = g instanceof Tensor ? `${g.dtype}${formatShape(g.shape)}` : typeof g;
        throw new GraphError(`${name}: gradient ${i} for param ${JSON.stringify(paramName(p as FloatTensor))} must be float32${formatShape(p.shape)}, got ${got}`);
      }
    });
    const step = param(`${name}/step`, [], { init: 0 }) as Scalar;
    const ctx: TransformContext = { prefix: name, params: params as FloatTensor[], step };
    const out = transform.update(grads as FloatTensor[], ctx);
    if (out.updates.length !== params.length) {
      throw new GraphError(`${name}: transform ${transform.label} returned ${out.updates.length} updates for ${params.length} params`);
    }
    out.updates.forEach((u, i) => {
      const p = params[i];
      if (u.dtype !== "float32" || !sameShape(u.shape, p.shape)) {
        throw new GraphError(
          `${name}: transform ${transform.label} made a ${u.dtype}${formatShape(u.shape)} update for param ` +
            `${JSON.stringify(paramName(p as FloatTensor))}, expected float32${formatShape(p.shape)}`,
        );
      }
    });
    const result: Update[] = params.map((p, i) => [p as FloatTensor, add(p as FloatTensor, out.updates[i]) as FloatTensor]);
    result.push(...out.state, [step, add(step, 1)]);
    checkTargets(name, result);
    return result;
  };
  return withUpdates(name, apply);
}

/**
 * An optimizer from its `apply`: adds `updates(loss, params)`, which differentiates
 * the loss and refuses state slot names that collide with the loss's own params.
 */
export function withUpdates(name: string, apply: (grads: readonly Tensor[], params: readonly Tensor[]) => Update[]): Optimizer {
  return {
    name,
    apply,
    updates(loss: Tensor, params: readonly Tensor[]): Update[] {
      if (!(loss instanceof Tensor)) throw new GraphError(`${name}.updates: expected a loss Tensor, got ${typeof loss}`);
      checkParams(name, params);
      const result = apply(grad(loss, params), params);
      // A user param that happens to share a slot's name would be silently aliased at run time.
      const own = new Set<Tensor>(params);
      const slotNames = new Set(result.filter(([t]) => !own.has(t)).map(([t]) => paramName(t)));
      for (const leaf of leavesOf([loss]).params) {
        const leafName = paramName(leaf as FloatTensor);
        if (slotNames.has(leafName)) {
          throw new GraphError(`${name}: the loss already has a param named ${JSON.stringify(leafName)}, which is also a state slot name; pass { name } to pick another prefix`);
        }
      }
      return result;
    },
  };
}

export function checkParams(name: string, params: readonly Tensor[]): void {
  if (!Array.isArray(params)) throw new GraphError(`${name}: expected an array of params`);
  const seen = new Set<Tensor>();
  params.forEach((p, i) => {
    if (!(p instanceof Tensor) || !p.is("param")) {
      throw new GraphError(`${name}: params[${i}] must be a param node (from param(...)), got ${p instanceof Tensor ? p.op : typeof p}`);
    }
    if (seen.has(p)) throw new GraphError(`${name}: param ${JSON.stringify(p.params.name)} is listed twice`);
    seen.add(p);
  });
}

/** Every target is a distinct name, and every new value has its target's shape and dtype. */
export function checkTargets(name: string, updates: readonly Update[]): void {
  const byName = new Map<string, FloatTensor>();
  for (const [target, value] of updates) {
    const n = paramName(target);
    if (value.dtype !== "float32" || !sameShape(value.shape, target.shape)) {
      throw new GraphError(
        `${name}: the new value of ${JSON.stringify(n)} is ${value.dtype}${formatShape(value.shape)}, expected float32${formatShape(target.shape)} (a transform changed an update's shape)`,
      );
    }
    const other = byName.get(n);
    if (other !== undefined) {
      throw new GraphError(
        `${name}: two update targets are named ${JSON.stringify(n)}; two transforms of one chain keep the same state (wrap one in scoped(...)), or two params share a name`,
      );
    }
    byName.set(n, target);
  }
}
