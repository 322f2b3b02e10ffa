import { input, oneHot, scatterAdd } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import { emit } from "./emit.ts";
import { runInTempFolder } from "./testing/child.ts";
import { mlpStep, randomF32, randomLabels, rng } from "./testing/mlp.ts";

const sizes = { batch: 4 };
const { spec } = mlpStep({ sizes: [6, 5, 3], optimizer: "adam", seed: 2 });
const random = rng(5);
const x = randomF32(24, random);
const good = randomLabels(4, 3, random);

function state(step: { names(): string[]; read(name: string): Float32Array }) {
  return Object.fromEntries(step.names().map((n) => [n, Array.from(step.read(n))]));
}

describe("run() checks int feeds against the range their consumers need", () => {
  for (const backend of ["js", "auto"] as const) {
    it(`a label outside [0, classes) is an error naming input, element and value; nothing changes (${backend})`, () => {
      const step = compile({ ...spec, sizes }, { backend });
      const twin = compile({ ...spec, sizes }, { backend });
      step.run({ x, y: good });
      twin.run({ x, y: good });
      const before = state(step);
      for (const [bad, at, value] of [
        [Int32Array.of(0, 1, 3, 2), 2, 3],
        [Int32Array.of(-1, 0, 0, 0), 0, -1],
        [Int32Array.of(0, 0, 0, 2 ** 31 - 1), 3, 2 ** 31 - 1],
      ] as const) {
        expect(() => step.run({ x, y: bad })).toThrow(
          `run: input "y": element ${at} is ${value}, outside [0, 3) that softmaxCrossEntropy over 3 classes needs; nothing was changed`,
        );
        expect(state(step)).toEqual(before);
      }
      // Params, moments and the step count are as if the bad calls never happened.
      expect(step.run({ x, y: good }).loss[0]).toBe(twin.run({ x, y: good }).loss[0]);
      expect(state(step)).toEqual(state(twin));
    });
  }

  it("follows indices through ops that pass values on, and takes the tightest range", () => {
    const idx = input("idx", [2, 3], "int32");
    const table = input("table", [5, 2]);
    const u = input("u", [6]);
    const out = table
      .gather(idx.reshape([6]), 0)
      .sum()
      .add(oneHot(idx, 4).sum())
      .add(scatterAdd(u, idx.reshape([6]), 0, 7).sum());
    const step = compile({ inputs: [idx, table, u], outputs: { out }, sizes: {} });
    const feeds = { table: new Float32Array(10), u: new Float32Array(6) };
    expect(() => step.run({ ...feeds, idx: Int32Array.of(0, 1, 2, 3, 4, 0) })).toThrow('input "idx": element 4 is 4, outside [0, 4) that oneHot of depth 4 needs');
    const onlyGather = compile({ inputs: [idx, table], outputs: { out: table.gather(idx.transpose([1, 0]), 0) }, sizes: {} });
    expect(() => onlyGather.run({ table: feeds.table, idx: Int32Array.of(0, 1, 2, 3, 4, 5) })).toThrow(
      'input "idx": element 5 is 5, outside [0, 5) that gather along axis 0 of size 5 needs',
    );
    expect(step.run({ ...feeds, idx: Int32Array.of(0, 1, 2, 3, 3, 0) }).out[0]).toBe(6);
  });

  it("an int32 feed must be an Int32Array: fractions and NaN cannot arrive", () => {
    const step = compile({ ...spec, sizes });
    for (const y of [Float32Array.of(0, 1.5, 2, 0), Float64Array.of(0, Number.NaN, 2, 0)]) {
      expect(() => step.run({ x, y: y as never })).toThrow(/run: input "y": expected int32\[4\] \(4 values, Int32Array\), got Float(32|64)Array of 4 values/);
    }
  });

  it("the emitted module checks the same way, and its state is unchanged", () => {
    const source = emit({ ...spec, sizes });
    const main = `
import createStep from "./step.mjs";
const step = createStep();
const x = Float32Array.from(${JSON.stringify(Array.from(x))});
const snapshot = () => JSON.stringify(step.names().map((n) => Array.from(step.read(n))));
step.run({ x, y: Int32Array.from(${JSON.stringify(Array.from(good))}) });
const before = snapshot();
let message = null;
try { step.run({ x, y: Int32Array.of(0, 7, 0, 0) }); } catch (e) { message = e.message; }
console.log(JSON.stringify({ message, unchanged: snapshot() === before }));
`;
    const result = JSON.parse(runInTempFolder({ "step.mjs": source, "main.mjs": main }, "main.mjs"));
    expect(result).toEqual({ message: 'run: input "y": element 1 is 7, outside [0, 3) that softmaxCrossEntropy over 3 classes needs; nothing was changed', unchanged: true });
  });
});
