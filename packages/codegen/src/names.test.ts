import { evaluate, input, mean, param, softmaxCrossEntropy, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import { emit } from "./emit.ts";
import { expectClose } from "./testing/compare.ts";
import { runInTempFolder } from "./testing/child.ts";

// biome-ignore lint/suspicious/noTemplateCurlyInString: a template-literal name is one of the hostile names
const hostile = ['"); process.exit(1); //', "__proto__", "constructor", "a\u2028b */ x", "`${process.exit(2)}`", "toString"];

/** A step whose every leaf and output is named something dangerous. */
function hostileStep() {
  const x = input(hostile[0], ["batch", 3]);
  const y = input(hostile[1], ["batch"], "int32");
  const W = param(hostile[2], [3, 4], { init: [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8, -0.9, 1.0, 1.1, 1.2] });
  const b = param(hostile[3], [4], { init: [0.01, 0.02, -0.03, 0.04] });
  const loss = mean(softmaxCrossEntropy(x.matmul(W).add(b), y));
  const scaled = loss.mul(2);
  const updates = [
    [W, W.sub(W.mul(0.1))],
    [b, b.add(1)],
  ] as const;
  const outputs = Object.create(null) as Record<string, AnyTensor>;
  outputs[hostile[4]] = loss;
  // biome-ignore lint/suspicious/noProto: an own "__proto__" property is the hostile name under test
  outputs.__proto__ = scaled; // an own property on a null-prototype object
  outputs[hostile[5]] = W;
  return { spec: { inputs: [x, y], outputs, updates, sizes: { batch: 2 } }, x, y, W, b, loss, scaled };
}

const feeds = () => {
  const f = Object.create(null) as Record<string, Float32Array | Int32Array>;
  f[hostile[0]] = Float32Array.from([1, 2, 3, -1, 0.5, 2]);
  f[hostile[1]] = Int32Array.from([3, 1]);
  return f;
};

/** Every occurrence of `text` in `source` sits inside an escaped string: preceded by a backslash. */
function onlyEscaped(source: string, text: string): boolean {
  for (let at = source.indexOf(text); at >= 0; at = source.indexOf(text, at + 1)) {
    if (source[at - 1] !== "\\") return false;
  }
  return true;
}

describe("names are data", () => {
  it("compile(): hostile names compile, run, read and write correctly", () => {
    const { spec, loss, scaled, W, b } = hostileStep();
    const step = compile(spec);
    const expected = evaluate([loss, scaled, W], feeds(), spec.sizes);
    const out = step.run(feeds());
    expectClose(out[hostile[4]], expected[0], "loss");
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    // biome-ignore lint/suspicious/noProto: the "__proto__" output must come back as data
    expectClose(out.__proto__ as Float32Array, expected[1], "__proto__ output");
    expectClose(out[hostile[5]], expected[2], "old W as output");
    expectClose(step.read(hostile[2]), Array.from(evaluate(W.sub(W.mul(0.1)), {}, {})), "W after update");
    expectClose(step.read(hostile[3]), Array.from(evaluate(b.add(1), {}, {})), "b after update");
    step.write(hostile[3], [1, 2, 3, 4]);
    expect(Array.from(step.read(hostile[3]))).toEqual([1, 2, 3, 4]);
    expect(step.names().sort()).toEqual([hostile[2], hostile[3]].sort());
    expect(() => step.read("hasOwnProperty")).toThrow(/unknown param "hasOwnProperty"/);
  });

  it("compile(): the source never holds a name outside an escaped literal", () => {
    const step = compile(hostileStep().spec);
    expect(onlyEscaped(step.source, '"); process.exit(1)')).toBe(true);
    expect(step.source).not.toContain("\u2028");
    // Names appear only in the one JSON metadata literal and in comments (JSON-escaped).
    const lines = [step.source, ...step.kernels.map((k) => k.source)].flatMap((text) => text.split("\n"));
    for (const line of lines.filter((l) => l.includes("process.exit"))) {
      const comment = line.indexOf("//");
      const inComment = comment >= 0 && comment < line.indexOf("process.exit");
      expect(line.startsWith("const meta = JSON.parse(") || inComment, line).toBe(true);
    }
  });

  it("emit(): the standalone module runs with hostile names under plain node", () => {
    const { spec } = hostileStep();
    const source = emit(spec);
    expect(onlyEscaped(source, '"); process.exit(1)')).toBe(true);
    const runner = `
import createStep from "./step.mjs";
const names = ${JSON.stringify(hostile)};
const step = createStep();
const feeds = Object.create(null);
feeds[names[0]] = Float32Array.from([1, 2, 3, -1, 0.5, 2]);
feeds[names[1]] = Int32Array.from([3, 1]);
const out = step.run(feeds);
console.log(JSON.stringify({ loss: out[names[4]][0], proto: out["__proto__"][0], b: Array.from(step.read(names[3])) }));
`;
    const result = JSON.parse(runInTempFolder({ "step.mjs": source, "main.mjs": runner }, "main.mjs"));
    const compiled = compile(spec);
    const out = compiled.run(feeds());
    expect(result.loss).toBe(out[hostile[4]][0]);
    // biome-ignore lint/suspicious/noProto: reading the "__proto__" output back is the point
    expect(result.proto).toBe((out.__proto__ as Float32Array)[0]);
    expect(result.b).toEqual(Array.from(compiled.read(hostile[3])));
  });
});
