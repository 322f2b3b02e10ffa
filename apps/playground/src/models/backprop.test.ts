import { describe, expect, it } from "vitest";
import { backpropGraph } from "./backprop.ts";

const weights = { W1: [0.5, -0.3, 0.8, 0.2], b1: [0.1, -0.1], W2: [0.7, -0.4], b2: [0.05] };
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe("backpropGraph", () => {
  const g = backpropGraph([1, 2], 1, weights);
  const byLabel = (label: string) => g.nodes.find((n) => n.label === label)!;

  it("gives the loss and parameter gradients the hand-derived chain rule gives", () => {
    const z = [1 * 0.5 + 2 * 0.8 + 0.1, 1 * -0.3 + 2 * 0.2 - 0.1];
    const h = z.map(sigmoid);
    const yhat = h[0] * 0.7 + h[1] * -0.4 + 0.05;
    const dy = 2 * (yhat - 1);
    const loss = g.nodes[g.nodes.length - 1];
    expect(loss.value[0]).toBeCloseTo((yhat - 1) ** 2, 12);
    expect(loss.gradient![0]).toBe(1);
    expect(Array.from(byLabel("W2").gradient!)).toEqual(h.map((v) => expect.closeTo(dy * v, 12)));
    expect(byLabel("b2").gradient![0]).toBeCloseTo(dy, 12);
    const dz = [dy * 0.7 * h[0] * (1 - h[0]), dy * -0.4 * h[1] * (1 - h[1])];
    expect(Array.from(byLabel("b1").gradient!)).toEqual(dz.map((v) => expect.closeTo(v, 12)));
    expect(Array.from(byLabel("W1").gradient!)).toEqual([1 * dz[0], 1 * dz[1], 2 * dz[0], 2 * dz[1]].map((v) => expect.closeTo(v, 12)));
  });

  it("computes the backward pass from the loss down, each node after all its consumers", () => {
    const position = new Map(g.backwardOrder.map((n, i) => [n, i]));
    expect(g.backwardOrder[0]).toBe(g.nodes[g.nodes.length - 1].node);
    for (const n of g.nodes) for (const c of n.consumers) if (position.has(n.node)) expect(position.get(c)!).toBeLessThan(position.get(n.node)!);
  });

  it("shares backward nodes between the params' gradients", () => {
    expect(g.backwardNodesShared).toBeLessThan(g.backwardNodesSeparate);
    // The hidden layer's gradient feeds both W1's and x's … and the matmul's output feeds W2's and h's.
    expect(g.nodes.some((n) => n.reusedBy.length >= 2)).toBe(true);
  });
});
