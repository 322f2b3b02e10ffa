import { add, scalar, evaluate, exp, input, log, mul, neg, reshape, sub, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { c, matchAll, op, opAs, v, when } from "./pattern.ts";
import { rewrite, type Firing } from "./rewrite.ts";
import { rule } from "./rule.ts";

const x = input("x", [3]);
const y = input("y", [3]);
const ctx = { unsafe: false };

describe("patterns", () => {
  it("match commutative operands in either order, and a repeated variable only the same node", () => {
    const pattern = op("add", v("a"), op("neg", v("a")));
    expect([...matchAll(pattern, add(x, neg(x)))]).toHaveLength(1);
    expect([...matchAll(pattern, add(neg(x), x))]).toHaveLength(1);
    expect([...matchAll(pattern, add(y, neg(x)))]).toHaveLength(0);
  });

  it("constants match by value, named op nodes and guards bind", () => {
    expect([...matchAll(op("mul", v("z"), c(2)), mul(x, 2))][0].z).toBe(x);
    expect([...matchAll(op("mul", v("z"), c(2)), mul(x, 3))]).toHaveLength(0);
    const [b] = [...matchAll(opAs("n", "exp", [when("w", (t) => t.op === "input")]), exp(x))];
    expect(b.n.op).toBe("exp");
    expect(b.w).toBe(x);
  });
});

describe("rewrite engine", () => {
  it("ends even when two rules undo each other, within the pass and per-node caps", () => {
    const flip = [rule("x+1 -> x-(-1)", op("add", v("x"), c(1)), ({ x: a }) => sub(a, -1)), rule("x-(-1) -> x+1", op("add", v("x"), op("neg", c(-1))), ({ x: a }) => add(a, 1))];
    const firings: Firing[] = [];
    const [out] = rewrite([add(x, 1)], flip, ctx, "test", (f) => firings.push(f), { maxPasses: 4, maxPerNode: 3 });
    expect(firings.length).toBeLessThanOrEqual(12);
    expect(Array.from(evaluate(out, { x: [1, 2, 3] }))).toEqual([2, 3, 4]);
  });

  it("a replacement that fails to build declines and the graph stays as it was", () => {
    // reshape [3] -> [7] throws a GraphError while the replacement is built
    const broken = rule("log(x) -> reshape(x, [7])", op("log", v("x")), ({ x: a }) => reshape(a, [7]));
    const g = log(x);
    const [out] = rewrite([g], [broken], ctx, "test", () => {
      throw new Error("no firing expected");
    });
    expect(out).toBe(g);
  });

  it("a replacement of another shape that broadcasts is broadcast back; another dtype is refused", () => {
    const m = input("m", [2, 3]);
    const shrink = rule("x*c -> c", op("mul", v("x"), c(undefined, "k")), ({ k }) => k);
    const [out] = rewrite([mul(m, 5)], [shrink], ctx, "test", () => {});
    expect(out.shape).toEqual([2, 3]);
    expect(Array.from(evaluate(out, { m: [1, 2, 3, 4, 5, 6] }))).toEqual([5, 5, 5, 5, 5, 5]);
    const toBool = rule("x -> x>0", op("exp", v("x")), ({ x: a }) => a.greater(0) as AnyTensor);
    const g = exp(x);
    expect(rewrite([g], [toBool], ctx, "test", () => {})[0]).toBe(g);
  });

  it("removes dead code: only what the roots reach is rebuilt", () => {
    const dead = exp(y);
    const g = add(x, mul(dead, 0));
    const [out] = rewrite([g], [rule("x*0 -> 0", op("mul", v("x"), c(0)), () => scalar(0))], { unsafe: true }, "test", () => {});
    expect(out.inputs.includes(dead)).toBe(false);
  });
});
