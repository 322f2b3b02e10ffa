import type { AnyTensor, OpKind } from "@gradfold/graph";
import { topoSort } from "@gradfold/graph/internal";
import type { BoundShapes } from "./lower/shapes.ts";

/** The values an int32 feed may hold: [0, below), and which op needs that, for the message. */
export interface FeedRange {
  readonly below: number;
  readonly need: string;
}

/** Ops that pass int values through unchanged (operand 0), so the range their consumers need applies to the feed. */
const passes: ReadonlySet<OpKind> = new Set<OpKind>(["reshape", "transpose", "broadcastTo", "slice", "concat", "stopGradient", "pad", "gather"]);

/** Operand positions that are indices, and the size each must stay below. */
const indexUses: Partial<Record<OpKind, (node: AnyTensor, operand: number, shapes: BoundShapes) => FeedRange | null>> = {
  softmaxCrossEntropy: (node, operand, shapes) => {
    if (operand !== 1) return null;
    const logits = shapes.of(node.inputs[0]);
    const classes = logits[logits.length - 1];
    return { below: classes, need: `softmaxCrossEntropy over ${classes} classes` };
  },
  oneHot: (node, _, shapes) => {
    const depth = shapes.of(node).at(-1)!;
    return { below: depth, need: `oneHot of depth ${depth}` };
  },
  gather: (node, operand, shapes) => {
    if (operand !== 1) return null;
    const axis = (node.params as { axis: number }).axis;
    const size = shapes.of(node.inputs[0])[axis];
    return { below: size, need: `gather along axis ${axis} of size ${size}` };
  },
  scatterAdd: (node, operand, shapes) => {
    if (operand !== 1) return null;
    const axis = (node.params as { axis: number }).axis;
    const size = shapes.of(node)[axis];
    return { below: size, need: `scatterAdd along axis ${axis} of size ${size}` };
  },
};

/**
 * For each int32 input, the tightest range its index consumers need (labels for
 * softmaxCrossEntropy, indices for gather, scatterAdd, oneHot), followed through ops
 * that pass values on unchanged. run() checks feeds against it before writing
 * anything: out of range, the reference throws, and a kernel would read or write
 * outside its buffers or return NaN while the updates still apply.
 */
export function feedRanges(roots: readonly AnyTensor[], inputs: readonly AnyTensor[], shapes: BoundShapes): Map<AnyTensor, FeedRange> {
  const consumers = new Map<AnyTensor, Array<readonly [AnyTensor, number]>>();
  for (const node of topoSort(roots)) {
    node.inputs.forEach((x, i) => {
      const list = consumers.get(x) ?? [];
      list.push([node, i]);
      consumers.set(x, list);
    });
  }
  const ranges = new Map<AnyTensor, FeedRange>();
  for (const feed of inputs) {
    if (feed.dtype !== "int32") continue;
    let tightest: FeedRange | null = null;
    const seen = new Set<AnyTensor>();
    const visit = (value: AnyTensor) => {
      if (seen.has(value)) return;
      seen.add(value);
      for (const [user, operand] of consumers.get(value) ?? []) {
        const range = indexUses[user.op]?.(user, operand, shapes) ?? null;
        if (range && (tightest === null || range.below < tightest.below)) tightest = range;
        if (passes.has(user.op) && (operand === 0 || user.op === "concat")) visit(user);
      }
    };
    visit(feed);
    if (tightest) ranges.set(feed, tightest);
  }
  return ranges;
}
