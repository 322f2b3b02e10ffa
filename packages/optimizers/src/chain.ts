import type { FloatTensor, GradientTransformation, TransformContext, Update } from "./types.ts";

/**
 * Composes transforms left to right: the updates out of one are the input of the
 * next, and every transform's state assignments are kept (optax `chain`).
 */
export function chain(...transforms: readonly GradientTransformation[]): GradientTransformation {
  return {
    label: `chain(${transforms.map((t) => t.label).join(", ")})`,
    update: (updates: readonly FloatTensor[], ctx: TransformContext) => {
      let current = updates;
      const state: Update[] = [];
      for (const t of transforms) {
        const out = t.update(current, ctx);
        current = out.updates;
        state.push(...out.state);
      }
      return { updates: current, state };
    },
  };
}

/** The transform that changes nothing: a neutral element for `chain`. */
export function identity(): GradientTransformation {
  return { label: "identity", update: (updates) => ({ updates, state: [] }) };
}

/** A stateless transform from a per-update map; `label` names it in errors. */
export function mapUpdates(label: string, f: (u: FloatTensor, p: FloatTensor, ctx: TransformContext) => FloatTensor): GradientTransformation {
  return { label, update: (updates, ctx) => ({ updates: updates.map((u, i) => f(u, ctx.params[i], ctx)), state: [] }) };
}

/**
 * Gives a transform's state slots their own sub-prefix, `<prefix>/<scope>/<param>/…`,
 * so two transforms that keep the same kind of state can share one chain.
 */
export function scoped(scope: string, transform: GradientTransformation): GradientTransformation {
  return {
    label: `${scope}:${transform.label}`,
    update: (updates, ctx) => transform.update(updates, { ...ctx, prefix: `${ctx.prefix}/${scope}` }),
  };
}

/**
 * Applies `transform` only to the params `mask` selects; the others' updates pass
 * through unchanged (optax `masked`). Use it to give params different rules, e.g.
 * `chain(masked(isWeight, scaleByAdam()), scaleByLearningRate(lr))`.
 */
export function masked(mask: (param: FloatTensor) => boolean, transform: GradientTransformation): GradientTransformation {
  return {
    label: `masked(${transform.label})`,
    update: (updates, ctx) => {
      const chosen = ctx.params.flatMap((p, i) => (mask(p) ? [i] : []));
      if (chosen.length === 0) return { updates, state: [] };
      const out = transform.update(
        chosen.map((i) => updates[i]),
        { ...ctx, params: chosen.map((i) => ctx.params[i]) },
      );
      const result = [...updates];
      chosen.forEach((i, k) => {
        result[i] = out.updates[k];
      });
      return { updates: result, state: out.state };
    },
  };
}
