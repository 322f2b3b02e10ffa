import { describe, expect, it } from "vitest";
import { defineCustomOp, input } from "@gradfold/graph";
import { compile } from "./compile.ts";
import { emit } from "./emit.ts";
import { mlpStep, randomF32, randomLabels, rng } from "./testing/mlp.ts";

function setup() {
  const { spec } = mlpStep({ sizes: [5, 4, 3], optimizer: "adam" });
  const step = compile({ ...spec, sizes: { batch: 2 } });
  const random = rng(9);
  const good = { x: randomF32(10, random), y: randomLabels(2, 3, random) };
  const snapshot = () => Object.fromEntries(step.names().map((n) => [n, Array.from(step.read(n))]));
  return { step, good, snapshot };
}

describe("bad calls say what was expected and change nothing", () => {
  it("wrong feeds: missing, wrong length, wrong array kind, unknown name, not an object", () => {
    const { step, good, snapshot } = setup();
    step.run(good);
    const before = snapshot();
    const loss = step.run(good).loss;
    const lossBefore = loss[0];
    // That run changed state; take the reference after it.
    const state = snapshot();
    expect(state).not.toEqual(before);
    const cases: Array<[unknown, RegExp]> = [
      [{ x: good.x }, /missing feed for input "y": expected int32\[2\] \(2 values, Int32Array\)/],
      [{ x: good.x.subarray(0, 9), y: good.y }, /input "x": expected float32\[2, 5\] \(10 values, Float32Array\), got Float32Array of 9 values/],
      [{ x: Float64Array.from(good.x), y: good.y }, /input "x": expected float32\[2, 5\].*got Float64Array of 10 values/],
      [{ x: good.x, y: Float32Array.from(good.y) }, /input "y": expected int32\[2\].*got Float32Array/],
      [{ x: Array.from(good.x), y: good.y }, /input "x": expected float32.*got Array of 10 values/],
      [{ x: good.x, y: good.y, z: good.x }, /unknown feed "z"; the inputs are "x", "y"/],
      [{ x: good.x, y: good.y, W1: good.x }, /unknown feed "W1".*params are set with write\(\)/],
      [null, /expected an object of feeds/],
    ];
    for (const [feeds, message] of cases) {
      expect(() => step.run(feeds as never)).toThrow(message);
      expect(snapshot()).toEqual(state);
      expect(loss[0]).toBe(lossBefore);
    }
  });

  it("read/write of unknown names list the known ones; a bad write changes nothing", () => {
    const { step, snapshot } = setup();
    expect(() => step.read("W9")).toThrow(/read: unknown param "W9"; known: .*"W1", .*"b2\/adam\/v"/);
    expect(() => step.write("nope", [1])).toThrow(/write: unknown param "nope"; known: /);
    const state = snapshot();
    expect(() => step.write("b1", [1, 2, 3])).toThrow(/write: param "b1": expected float32\[4\] \(4 numbers.*got Array of 3 values/);
    expect(() => step.write("b1", new Int32Array(4) as never)).toThrow(/got Int32Array of 4 values/);
    expect(() => step.write("b1", [1, 2, "3", 4] as never)).toThrow(/element 2 is string/);
    expect(snapshot()).toEqual(state);
    step.write("b1", Float64Array.of(1, 2, 3, 4));
    expect(Array.from(step.read("b1"))).toEqual([1, 2, 3, 4]);
  });

  it("read returns a copy; run returns the same views every time", () => {
    const { step, good } = setup();
    const w = step.read("W1");
    w.fill(123);
    expect(step.read("W1")[0]).not.toBe(123);
    const a = step.run(good);
    const b = step.run(good);
    expect(a).toBe(b);
    expect(a.loss).toBe(b.loss);
  });

  it("emit() refuses custom ops (their code is JS functions) and says why", () => {
    const twice = defineCustomOp({ name: "twice", arity: 1, shape: ([x]) => x, scalar: (v) => 2 * v, vjp: ({ grad }) => [grad.mul(2)] });
    const x = input("x", [4]);
    expect(() => emit({ inputs: [x], outputs: { y: twice(x) } })).toThrow(/emit: the step uses custom op "twice".*use compile\(\)/);
    const y = compile({ inputs: [x], outputs: { y: twice(x) } }).run({ x: Float32Array.of(1, 2, 3, 4) }).y;
    expect(Array.from(y)).toEqual([2, 4, 6, 8]);
  });

  it("compile-time errors name the problem", () => {
    const { spec } = mlpStep({ sizes: [5, 4, 3], optimizer: "sgd" });
    expect(() => compile({ ...spec })).toThrow(/symbolic dim "batch" is unbound/);
    expect(() => compile({ ...spec, inputs: [spec.inputs[0]], sizes: { batch: 2 } })).toThrow(/reads input "y" which spec.inputs does not list/);
    const [[W, value]] = spec.updates!;
    expect(() =>
      compile({
        ...spec,
        updates: [
          [W, value],
          [W, value],
        ],
        sizes: { batch: 2 },
      }),
    ).toThrow(/param "W1" is updated twice/);
  });
});
