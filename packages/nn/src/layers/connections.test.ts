import { checkGrad, evaluate, input } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { maxAbsDiff, uniform } from "../../test/random.ts";
import { concatSkip, denseBlock, residual } from "./connections.ts";
import { dense } from "./dense.ts";

const nameOf = (t: { params: unknown }) => (t.params as { name: string }).name;
const x = input("x", ["batch", 3]);
const xv = uniform(6, -1, 1);

describe("residual", () => {
  test("y = x + F(x), with F's params exposed", () => {
    const inner = dense(x, 3, { name: "f", activation: "tanh" });
    const block = residual(x, () => inner);
    expect(block.params).toEqual(inner.params);
    const [y, fx] = evaluate([block.output, inner.output], { x: xv }, { batch: 2 });
    expect(
      maxAbsDiff(
        y,
        Array.from(fx, (v, i) => v + xv[i]),
      ),
    ).toBeLessThan(1e-15);
  });

  test("a shape-changing F needs a projection: y = x·P + F(x)", () => {
    expect(() => residual(x, (h) => dense(h, 5, { name: "wide" }))).toThrow(/projection/);
    const block = residual(x, (h) => dense(h, 5, { name: "wide2" }), { name: "res", projection: true });
    expect(block.params.map(nameOf)).toEqual(["wide2/W", "wide2/b", "res/projection/W"]);
    expect(block.output.shape).toEqual(["batch", 5]);
    const report = checkGrad(block.output.sum(), [x, ...block.params], { feeds: { x: xv }, sizes: { batch: 2 } });
    expect(report.ok).toBe(true);
  });

  test("a parameterless F is allowed: residual(x, relu) = x + relu(x)", () => {
    const y = evaluate(residual(x, (h) => h.relu()).output, { x: xv }, { batch: 2 });
    expect(
      maxAbsDiff(
        y,
        Array.from(xv, (v) => v + Math.max(v, 0)),
      ),
    ).toBeLessThan(1e-15);
  });
});

describe("skip and dense connections", () => {
  test("concatSkip is [x, F(x)] along features", () => {
    const inner = dense(x, 2, { name: "c" });
    const block = concatSkip(x, () => inner);
    expect(block.output.shape).toEqual(["batch", 5]);
    const [y, fx] = evaluate([block.output, inner.output], { x: xv }, { batch: 2 });
    expect(Array.from(y)).toEqual([...Array.from(xv.subarray(0, 3)), ...Array.from(fx.subarray(0, 2)), ...Array.from(xv.subarray(3)), ...Array.from(fx.subarray(2))]);
  });

  test("denseBlock grows the width by growth per layer; each layer sees all earlier features", () => {
    const block = denseBlock(x, { name: "db", layers: 3, growth: 2 });
    expect(block.output.shape).toEqual(["batch", 3 + 3 * 2]);
    expect(block.params.filter((p) => nameOf(p).endsWith("/W")).map((p) => p.shape)).toEqual([
      [3, 2],
      [5, 2],
      [7, 2],
    ]);
    const report = checkGrad(block.output.tanh().sum(), [x, ...block.params], { feeds: { x: xv }, sizes: { batch: 2 }, maxElements: 8 });
    expect(report.ok, JSON.stringify(report.entries)).toBe(true);
  });
});
