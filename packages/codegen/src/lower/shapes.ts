import { numel, type AnyTensor, type Sizes } from "@gradfold/graph";
import { bindShape } from "@gradfold/graph/internal";

/** Concrete shapes of nodes at one binding of the symbolic sizes, computed once per node. */
export class BoundShapes {
  private readonly cache = new Map<AnyTensor, readonly number[]>();
  constructor(readonly sizes: Sizes) {}

  of(node: AnyTensor): readonly number[] {
    let s = this.cache.get(node);
    if (!s) {
      s = bindShape(node.shape, this.sizes, `${node.op}#${node.id}`);
      this.cache.set(node, s);
    }
    return s;
  }

  count(node: AnyTensor): number {
    return numel(this.of(node));
  }
}

export function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Numpy broadcast of concrete shapes, or null when they do not broadcast. */
export function broadcastDims(shapes: readonly (readonly number[])[]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      if (s[i] === 1) continue;
      if (out[j] === 1) out[j] = s[i];
      else if (out[j] !== s[i]) return null;
    }
  }
  return out;
}

/** Strides to read an operand of `shape` broadcast into `target` (0 along broadcast axes). */
export function broadcastStrides(shape: readonly number[], target: readonly number[]): number[] {
  const lead = target.length - shape.length;
  const own = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    own[i] = s;
    s *= shape[i];
  }
  return target.map((_, i) => (i < lead || shape[i - lead] === 1 ? 0 : own[i - lead]));
}

/** Row-major strides. */
export function contiguousStrides(shape: readonly number[]): number[] {
  return broadcastStrides(shape, shape).map((s, i) => (shape[i] === 1 ? 0 : s));
}
