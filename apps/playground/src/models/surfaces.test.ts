import { evaluate, grad, param } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { surfaces } from "./surfaces.ts";

describe("surfaces", () => {
  it.each(Object.entries(surfaces))("%s: the gradient vanishes at the stated minimum, which is below the start", (_, s) => {
    const at = ([a, b]: readonly [number, number]) => {
      const x = param("x", [], { init: a });
      const y = param("y", [], { init: b });
      const f = s.f(x, y);
      const [fx, gx, gy] = evaluate([f, ...grad(f, [x, y])]);
      return { f: fx[0], g: [gx[0], gy[0]] };
    };
    const minimum = at(s.minimum);
    expect(minimum.g[0]).toBeCloseTo(0, 12);
    expect(minimum.g[1]).toBeCloseTo(0, 12);
    expect(at(s.start).f).toBeGreaterThan(minimum.f);
    const [x0, x1, y0, y1] = s.box;
    for (const [a, b] of [s.start, s.minimum]) expect(a >= x0 && a <= x1 && b >= y0 && b <= y1).toBe(true);
  });
});
