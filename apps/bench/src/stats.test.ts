import { describe, expect, it } from "vitest";
import { interleavedOrder, maxAbsDiff, median, stepsWithinBudget } from "./stats.ts";

describe("median", () => {
  it("takes the middle of an odd sample and the mean of the middle two of an even one", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
  it("does not reorder its input", () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
  it("refuses an empty sample", () => {
    expect(() => median([])).toThrow(/empty/);
  });
});

describe("interleavedOrder", () => {
  it("alternates contenders A B A B … with equal targets", () => {
    expect(interleavedOrder([3, 3])).toEqual([0, 1, 1, 0, 0, 1]);
  });
  it("gives each contender exactly its target and rotates who goes first", () => {
    const order = interleavedOrder([4, 4, 4]);
    expect([0, 1, 2].map((i) => order.filter((j) => j === i).length)).toEqual([4, 4, 4]);
    expect(order.slice(0, 3)).toEqual([0, 1, 2]);
    expect(order.slice(3, 6)).toEqual([1, 2, 0]);
  });
  it("lets a contender with fewer steps drop out while the others go on", () => {
    const order = interleavedOrder([5, 2]);
    expect(order.filter((i) => i === 1)).toHaveLength(2);
    expect(order.filter((i) => i === 0)).toHaveLength(5);
    expect(order.slice(-2)).toEqual([0, 0]);
  });
  it("is empty when nobody has steps", () => {
    expect(interleavedOrder([0, 0])).toEqual([]);
  });
});

describe("stepsWithinBudget", () => {
  it("keeps the requested count when it fits", () => {
    expect(stepsWithinBudget(30, 10, 10_000)).toBe(30);
  });
  it("caps slow contenders to the budget but keeps at least three steps", () => {
    expect(stepsWithinBudget(30, 1000, 10_000)).toBe(10);
    expect(stepsWithinBudget(30, 3300, 10_000)).toBe(3);
    expect(stepsWithinBudget(2, 3300, 10_000)).toBe(2);
  });
});

describe("maxAbsDiff", () => {
  it("is the largest absolute difference over the common prefix", () => {
    expect(maxAbsDiff([1, 2, 3], [1.5, 1, 3, 99])).toBe(1);
  });
  it("reports NaN disagreement as infinite", () => {
    expect(maxAbsDiff([1, Number.NaN], [1, 2])).toBe(Number.POSITIVE_INFINITY);
  });
});
