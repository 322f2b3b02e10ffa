import { add, constant, defineCustomOp, evaluate, grad, input, mul, sum } from "@gradfold/graph";
import { topoSort } from "@gradfold/graph/internal";
import { describe, expect, it } from "vitest";
import { expectClose } from "../test/helpers.ts";
import { optimize } from "./optimize.ts";

// x³ with its own gradient rule: the optimizer must not look inside, only around it.
const cube = defineCustomOp({
  name: "cube",
  arity: 1,
  shape: ([s]) => s,
  scalar: (v) => v * v * v,
  vjp: ({ inputs: [v], grad: dy }) => [mul(dy, mul(mul(v, v), 3))],
});

describe("user-defined (custom) ops are opaque to the optimizer", () => {
  const x = input("x", [2, 3]);
  const feeds = { x: [-1.5, -0.5, 0, 0.5, 1, 2] };

  it("rewrites around them, keeps them, and keeps their values", () => {
    const y = add(mul(cube(add(x, 0)), 1), mul(cube(x), 2));
    const { outputs } = optimize(y);
    const customs = topoSort([outputs]).filter((n) => n.is("custom"));
    // x + 0 → x makes the two cubes one node; x·1 → x leaves no mul by one.
    expect(customs).toHaveLength(1);
    expect(customs[0]).toBe(cube(x));
    expectClose(evaluate(outputs, feeds), evaluate(y, feeds));
    expectClose(
      evaluate(outputs, feeds),
      feeds.x.map((v) => 3 * v ** 3),
    );
  });

  it("schedules each in a group of its own, never fused with elementwise neighbours", () => {
    const loss = sum(mul(add(cube(mul(x, 2)), x), x));
    const [dx] = grad(loss, [x]);
    const result = optimize({ outputs: { loss, dx }, updates: [] }, { sizes: {} });
    const groups = result.plan!.groups;
    const withCustom = groups.filter((g) => g.nodes.some((n) => n.is("custom")));
    expect(withCustom.length).toBeGreaterThan(0);
    for (const g of withCustom) expect(g).toMatchObject({ kind: "opaque", nodes: [expect.anything()] });
    const [l, d] = evaluate([result.program.outputs.loss, result.program.outputs.dx], feeds);
    const [l0, d0] = evaluate([loss, dx], feeds);
    expectClose(l, l0);
    expectClose(d, d0);
    // d/dx Σ (8x³ + x)·x = 32x³ + 2x
    expectClose(
      d,
      feeds.x.map((v) => 32 * v ** 3 + 2 * v),
    );
  });

  it("folds or keeps a custom op of constants, with the same value", () => {
    const y = add(cube(constant([1, 2, 3], [3])), input("z", [3]));
    const { outputs } = optimize(y);
    expectClose(evaluate(outputs, { z: [0, 0, 1] }), [1, 8, 28]);
  });
});
