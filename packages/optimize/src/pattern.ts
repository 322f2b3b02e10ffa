import type { AnyTensor, OpKind } from "@gradfold/graph";
import { constantValue, registry, hasTrait } from "@gradfold/graph/internal";

/** What a pattern binds: variable names to the nodes they matched. */
export type Bindings = Readonly<Record<string, AnyTensor>>;

/**
 * A tree pattern over interned graph nodes. Variables with the same name must bind
 * the same node — interning makes structural equality an identity check.
 */
export type Pattern =
  | { readonly type: "var"; readonly name: string }
  | { readonly type: "op"; readonly op: OpKind; readonly args: readonly Pattern[]; readonly name?: string; readonly guard?: (node: AnyTensor) => boolean }
  | { readonly type: "const"; readonly value?: number; readonly name?: string }
  | { readonly type: "any"; readonly name: string; readonly guard: (node: AnyTensor) => boolean };

/**
 * The value of a constant whose elements are all equal, seen through broadcasts
 * (reverse mode writes zeros and ones as broadcastTo(scalar)); undefined otherwise.
 */
export function uniformValue(node: AnyTensor): number | undefined {
  const value = constantValue(node);
  if (value !== undefined || !node.is("broadcastTo")) return value;
  return uniformValue(node.inputs[0]);
}

/** Any node, bound to `name`. */
export const v = (name: string): Pattern => ({ type: "var", name });

/** A constant (or broadcast constant) whose elements all equal `value` (any such when omitted), optionally bound. */
export const c = (value?: number, name?: string): Pattern => ({ type: "const", value, name });

/** A node of kind `op` whose operands match `args` (either order for commutative binary ops). */
export const op = (kind: OpKind, ...args: Pattern[]): Pattern => ({ type: "op", op: kind, args });

/** Like `op`, and the node itself is bound to `name` and must pass `guard`. */
export const opAs = (name: string, kind: OpKind, args: readonly Pattern[], guard?: (node: AnyTensor) => boolean): Pattern => ({
  type: "op",
  op: kind,
  args,
  name,
  guard,
});

/** Any node passing `guard`, bound to `name`. */
export const when = (name: string, guard: (node: AnyTensor) => boolean): Pattern => ({ type: "any", name, guard });

function bind(b: Bindings, name: string | undefined, node: AnyTensor): Bindings | null {
  if (name === undefined) return b;
  const prior = b[name];
  if (prior !== undefined) return prior === node ? b : null;
  return { ...b, [name]: node };
}

/** Every way `pattern` matches `node` (commutative ops try both operand orders). */
export function* matchAll(pattern: Pattern, node: AnyTensor, b: Bindings = {}): Generator<Bindings> {
  switch (pattern.type) {
    case "var": {
      const out = bind(b, pattern.name, node);
      if (out) yield out;
      return;
    }
    case "any": {
      if (!pattern.guard(node)) return;
      const out = bind(b, pattern.name, node);
      if (out) yield out;
      return;
    }
    case "const": {
      const value = uniformValue(node);
      if (value === undefined) return;
      if (pattern.value !== undefined && value !== pattern.value) return;
      const out = bind(b, pattern.name, node);
      if (out) yield out;
      return;
    }
    case "op": {
      if (node.op !== pattern.op || node.inputs.length !== pattern.args.length) return;
      if (pattern.guard && !pattern.guard(node)) return;
      const self = bind(b, pattern.name, node);
      if (!self) return;
      yield* matchArgs(pattern.args, node.inputs, self);
      const def = registry[pattern.op];
      if (pattern.args.length === 2 && hasTrait(def, "commutative") && node.inputs[0] !== node.inputs[1]) {
        yield* matchArgs(pattern.args, [node.inputs[1], node.inputs[0]], self);
      }
      return;
    }
  }
}

function* matchArgs(args: readonly Pattern[], inputs: readonly AnyTensor[], b: Bindings, from = 0): Generator<Bindings> {
  if (from === args.length) {
    yield b;
    return;
  }
  for (const next of matchAll(args[from], inputs[from], b)) yield* matchArgs(args, inputs, next, from + 1);
}

/** The op kind at the root of a pattern, used to index rules; null when any node may match. */
export function rootKind(pattern: Pattern): OpKind | "constant" | null {
  if (pattern.type === "op") return pattern.op;
  if (pattern.type === "const") return "constant";
  return null;
}
