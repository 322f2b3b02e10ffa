/** Updates read the OLD state: swapped and chained params must not see each other's new values. */
import { expect, it } from "vitest";
import { input, param } from "@gradfold/graph";
import { compile } from "./index.ts";

for (const backend of ["js", "auto"] as const) {
  for (const optimize of [true, false]) {
    it(`swaps params (${backend}, optimize ${optimize})`, () => {
      const x = input("x", [3]);
      const a = param("a", [3], { init: [1, 2, 3] });
      const b = param("b", [3], { init: [4, 5, 6] });
      const c = param("c", [3], { init: [7, 8, 9] });
      const step = compile(
        {
          inputs: [x],
          outputs: { s: x.add(a).sum() },
          updates: [
            [a, b],
            [b, a.mul(2)],
            [c, b.add(1)],
          ],
        },
        { backend, optimize },
      );
      step.run({ x: new Float32Array(3) });
      expect(Array.from(step.read("a"))).toEqual([4, 5, 6]);
      expect(Array.from(step.read("b"))).toEqual([2, 4, 6]);
      expect(Array.from(step.read("c"))).toEqual([5, 6, 7]);
    });
  }
}
