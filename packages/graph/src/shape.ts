import { GraphError } from "./errors.ts";

/** A dimension: a concrete size, or a named symbolic size such as `"batch"` bound later. */
export type Dim = number | string;
export type Shape = readonly Dim[];
/** Shapes after symbolic dims are bound to sizes. */
export type ConcreteShape = readonly number[];
export type Sizes = Readonly<Record<string, number>>;

export function formatShape(shape: Shape): string {
  return `[${shape.map((d) => (typeof d === "string" ? JSON.stringify(d) : String(d))).join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function isConcrete(shape: Shape): shape is ConcreteShape {
  return shape.every((d) => typeof d === "number");
}

export function numel(shape: ConcreteShape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a concrete shape. */
export function stridesOf(shape: ConcreteShape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Binds every symbolic dim of `shape` from `sizes`; names the missing dim otherwise. */
export function bindShape(shape: Shape, sizes: Sizes, what: string): number[] {
  return shape.map((d) => {
    if (typeof d === "number") return d;
    const size = sizes[d];
    if (size === undefined) {
      throw new GraphError(`${what}: symbolic dim ${JSON.stringify(d)} is unbound; pass its size, e.g. { ${JSON.stringify(d)}: 32 } (got sizes ${JSON.stringify(sizes)})`);
    }
    if (!Number.isInteger(size) || size < 0) {
      throw new GraphError(`${what}: size of ${JSON.stringify(d)} must be a non-negative integer, got ${size}`);
    }
    return size;
  });
}

/** Numpy broadcasting, right-aligned; a symbolic dim only matches itself or 1. */
export function broadcastShapes(shapes: readonly Shape[]): Dim[] | string {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = new Array(rank);
  for (let i = 0; i < rank; i++) {
    let dim: Dim = 1;
    for (const s of shapes) {
      const d = s[s.length - rank + i] ?? 1;
      if (d === 1 || d === dim) continue;
      if (dim === 1) dim = d;
      else return `dims ${JSON.stringify(dim)} and ${JSON.stringify(d)} at axis ${i - rank} do not broadcast`;
    }
    out[i] = dim;
  }
  return out;
}

/** Resolves possibly negative axes against a rank; rejects out-of-range and repeated axes. */
export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : [...axes];
  const out = list.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new GraphError(`axis ${a} is out of range for rank ${rank}`);
    }
    return a < 0 ? a + rank : a;
  });
  if (new Set(out).size !== out.length) throw new GraphError(`repeated axis in ${JSON.stringify(list)}`);
  return out.sort((a, b) => a - b);
}
