import { grad, input, mean, param, softmaxCrossEntropy, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import type { NumericsReport } from "./numerics.ts";
import { compile } from "./compile.ts";
import { emit } from "./emit.ts";
import { runInTempFolder } from "./testing/child.ts";
import { expectClose } from "./testing/compare.ts";
import { randomF32, rng } from "./testing/mlp.ts";

/** A two-layer net whose hidden layer goes through log(relu(·) − 0.5) when `plant` is set: NaN wherever relu is 0. */
function model(plant: boolean) {
  const random = rng(3);
  const x = input("x", [4, 6]);
  const y = input("y", [4], "int32");
  const W1 = param("W1", [6, 5], { init: randomF32(30, random) });
  const W2 = param("W2", [5, 3], { init: randomF32(15, random) });
  const h = x.matmul(W1).relu();
  let deep: AnyTensor = h.mul(2);
  let line = 0;
  if (plant) {
    // The log and the line number in one expression, so they stay on one line whatever the formatter does.
    const [planted, at] = [h.sub(0.5).log(), lineHere()] as const;
    deep = deep.add(planted);
    line = at;
  }
  const loss = mean(softmaxCrossEntropy(deep.tanh().matmul(W2), y));
  const [g1, g2] = grad(loss, [W1, W2]);
  const spec = {
    inputs: [x, y],
    outputs: { loss },
    updates: [
      [W1, W1.sub(g1.mul(0.1))],
      [W2, W2.sub(g2.mul(0.1))],
    ] as const,
  };
  return { spec, line };
}

function lineHere(): number {
  return Number(new Error().stack!.split("\n")[2].match(/:(\d+):\d+\)?$/)![1]);
}

const feeds = { x: randomF32(24, rng(9), 2), y: Int32Array.of(0, 1, 2, 1) };
const state = (step: { names(): string[]; read(n: string): Float32Array }) => step.names().map((n) => Array.from(step.read(n)));

describe("checkNumerics", () => {
  it("names the op that first made a NaN, its shape, call site and kernel, and what it read; params unchanged", () => {
    const { spec, line } = model(true);
    const step = compile(spec, { checkNumerics: true });
    const before = state(step);
    let message = "";
    let report: NumericsReport | undefined;
    try {
      step.run(feeds);
    } catch (error) {
      message = (error as Error).message;
      report = (error as { numerics?: NumericsReport }).numerics;
    }
    expect(message).toMatch(
      new RegExp(
        `^checkNumerics: log float32\\[4, 5\\] \\(built at .*numerics\\.test\\.ts:${line}:\\d+\\)\\) produced NaN at element \\d+ \\(kernel k\\d+_log\\); nothing was updated\\. It read:\\n  add float32\\[4, 5\\] \\(built at .*numerics\\.test\\.ts:${line}:\\d+\\)\\): all finite, element \\d+ is -0\\.5$`,
      ),
    );
    // The same facts as data on the error.
    expect(report).toMatchObject({ operation: "log float32[4, 5]", kernel: expect.stringMatching(/^k\d+_log$/), value: Number.NaN });
    expect(report?.callSite).toMatch(new RegExp(`numerics\\.test\\.ts:${line}:\\d+`));
    expect(report?.inputs).toEqual([expect.stringMatching(/^add float32\[4, 5\] \(built at .*\): all finite, element \d+ is -0\.5$/)]);
    expect(state(step)).toEqual(before);
  });

  it("is off by default: no checks generated, and the NaN flows into the params", () => {
    const { spec } = model(true);
    const step = compile(spec);
    expect(step.source).not.toContain("checkKernel");
    step.run(feeds);
    expect(step.read("W1").some(Number.isNaN)).toBe(true);
  });

  it("on a healthy model, changes nothing but the speed", () => {
    const { spec } = model(false);
    const checked = compile(spec, { checkNumerics: true });
    const plain = compile(spec);
    expect(checked.source).toContain("checkKernel");
    expectClose(checked.run(feeds).loss, plain.run(feeds).loss, "loss", 1e-6);
    for (const name of plain.names()) expectClose(checked.read(name), plain.read(name), name, 1e-6);
  });

  it("works the same in an emitted module", () => {
    const { spec, line } = model(true);
    const main = `
import createStep from "./step.mjs";
const step = createStep();
const before = JSON.stringify(step.names().map((n) => Array.from(step.read(n))));
try { step.run({ x: Float32Array.from(${JSON.stringify(Array.from(feeds.x))}), y: Int32Array.of(0, 1, 2, 1) }); } catch (e) { console.log(e.message.split("\\n")[0]); }
console.log(before === JSON.stringify(step.names().map((n) => Array.from(step.read(n)))));
`;
    const [first, unchanged] = runInTempFolder({ "step.mjs": emit(spec, { checkNumerics: true }), "main.mjs": main }, "main.mjs")
      .trim()
      .split("\n");
    expect(first).toMatch(new RegExp(`^checkNumerics: log float32\\[4, 5\\] \\(built at .*numerics\\.test\\.ts:${line}:\\d+\\)\\) produced NaN`));
    expect(unchanged).toBe("true");
  });

  it("checks a model's entries too: the failing entry throws and leaves the shared params as they were", () => {
    const { spec } = model(true);
    const m = compile({ entries: { train: spec, probe: { inputs: spec.inputs, outputs: spec.outputs } } }, { checkNumerics: true });
    const before = state(m);
    expect(() => m.run("train", feeds)).toThrow(/^checkNumerics: log float32\[4, 5\] .* produced NaN/);
    expect(() => m.run("probe", feeds)).toThrow(/^checkNumerics: log float32\[4, 5\]/);
    expect(state(m)).toEqual(before);
  });
});
