import { evaluate } from "@gradfold/graph";
import { leavesOf } from "@gradfold/graph/internal";
import { describe, it } from "vitest";
import { compile } from "./compile.ts";
import { expectClose } from "./testing/compare.ts";
import { randomF32 } from "./testing/mlp.ts";
import { randomGraph } from "./testing/random-graph.ts";

describe("random graphs against the reference", () => {
  for (let seed = 1; seed <= 30; seed++) {
    it(`seed ${seed}`, () => {
      const { out, rows, cols, random } = randomGraph(seed);
      const feeds = { m: randomF32(rows * cols, random, 2), r: randomF32(cols, random, 2), s: Float32Array.of(random() * 2 - 1) };
      const inputs = leavesOf([out]).inputs;
      const used = Object.fromEntries(inputs.map((t) => [(t.params as { name: string }).name, feeds[(t.params as { name: string }).name as "m"]]));
      const expected = evaluate(out, used);
      for (const backend of ["js", "auto"] as const) {
        for (const optimize of [true, false]) {
          const step = compile({ inputs, outputs: { out } }, { backend, optimize });
          expectClose(step.run(used).out, expected, `seed ${seed} ${backend} optimize=${optimize}`, 2e-4);
        }
      }
    });
  }
});
