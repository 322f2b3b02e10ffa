import { describe, expect, it } from "vitest";
import { evaluate, input } from "@gradfold/graph";
import { topoSort } from "@gradfold/graph/internal";
import type { Scalar } from "../types.ts";
import { cosPi, floorDiv, MAX_STEP } from "./scalar-math.ts";

const t = input("t", []) as Scalar;

describe("floorDiv", () => {
  it("equals Math.floor(t / d) for integer steps up to 2^24, including at multiples and their neighbours", () => {
    for (const d of [1, 3, 7, 30, 1000, 65536, MAX_STEP - 1]) {
      const q = floorDiv(t, d);
      const steps = [0, 1, d - 1, d, d + 1, 5 * d - 1, 5 * d, 123457, 9_999_991, MAX_STEP - 1].filter((s) => s >= 0 && s < MAX_STEP);
      for (const s of steps) expect(evaluate(q, { t: [s] })[0], `⌊${s}/${d}⌋`).toBe(Math.floor(s / d));
    }
  });

  it("uses fewer quotient bits for larger divisors", () => {
    expect(topoSort([floorDiv(t, 1 << 20)]).length).toBeLessThan(topoSort([floorDiv(t, 3)]).length);
  });

  it("rejects a divisor that is not a positive integer", () => {
    expect(() => floorDiv(t, 2.5)).toThrow(/positive integer/);
    expect(() => floorDiv(t, 0)).toThrow(/positive integer/);
  });
});

describe("cosPi", () => {
  it("matches Math.cos(πp) to 1e-15 on [0, 1] and clamps outside", () => {
    const c = cosPi(t);
    for (let i = 0; i <= 200; i++) {
      const p = i / 200;
      expect(Math.abs(evaluate(c, { t: [p] })[0] - Math.cos(Math.PI * p))).toBeLessThan(1e-15);
    }
    expect(evaluate(c, { t: [-0.5] })[0]).toBeCloseTo(1, 15);
    expect(evaluate(c, { t: [3] })[0]).toBeCloseTo(-1, 15);
  });
});
