import { describe, expect, it } from "vitest";
import { emit } from "./emit.ts";
import { CHILD_PROCESSES_MS, runTsScript } from "./testing/child.ts";
import { logitsOf, mlpStep } from "./testing/mlp.ts";

/** Emits the test MLP's Adam step after `before` ran, in a fresh process; prints the module text. */
const emitAfter = (before: string) =>
  runTsScript(
    (src) => `
import { compile } from ${src("compile.ts")};
import { emit } from ${src("emit.ts")};
import { logitsOf, mlpStep } from ${src("testing/mlp.ts")};
${before}
const { spec, x, loss } = mlpStep({ sizes: [20, 16, 4], optimizer: "adam", seed: 3 });
process.stdout.write(emit({ ...spec, sizes: { batch: 8 } }));
process.stdout.write(emit({ entries: { train: spec, predict: { inputs: [x], outputs: { logits: logitsOf(loss) } } }, sizes: { batch: 8 } }));
`,
  );

describe("emit() is deterministic", () => {
  it(
    "the same spec (a step, a model) gives byte-identical text in any process, whatever ran before",
    () => {
      const fresh = emitAfter("");
      // Other graphs first: node ids and interned nodes are already taken when the spec is built.
      const busy = emitAfter(`
for (const sizes of [[5, 3], [20, 16, 4], [7, 9, 9, 2]]) {
  const other = mlpStep({ sizes, optimizer: "sgd", seed: 1 }).spec;
  compile({ ...other, sizes: { batch: 3 } });
  emit({ ...other, sizes: { batch: 5 } });
}
`);
      expect(busy.length).toBeGreaterThan(1000);
      expect(busy).toBe(fresh);
      // And in this process, after all the tests that ran here before.
      const { spec, x, loss } = mlpStep({ sizes: [20, 16, 4], optimizer: "adam", seed: 3 });
      const model = { entries: { train: spec, predict: { inputs: [x], outputs: { logits: logitsOf(loss) } } }, sizes: { batch: 8 } };
      expect(emit({ ...spec, sizes: { batch: 8 } }) + emit(model)).toBe(fresh);
      expect(fresh).toContain("createStep(weights?, options?) -> { run(entry, feeds)");
      expect(fresh).not.toMatch(/#\d{3,}/);
    },
    CHILD_PROCESSES_MS,
  );
});
