import { evaluate, input, oneHot } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { compile } from "../compile.ts";
import { buildModule } from "./module-builder.ts";
import { buildOneHot } from "./one-hot.ts";
import { wasm } from "./wasm-api.ts";

describe("oneHot as a Wasm kernel", () => {
  it("matches the reference at depths with and without a partial vector, and runs as Wasm", () => {
    for (const depth of [1, 3, 4, 10, 17]) {
      const y = input("y", [9], "int32");
      const step = compile({ inputs: [y], outputs: { out: oneHot(y, depth) } }, { backend: "wasm" });
      expect(step.kernels.map((k) => k.runs)).toEqual(["wasm"]);
      const labels = Int32Array.from({ length: 9 }, (_, i) => (i * 7) % depth);
      expect(Array.from(step.run({ y: labels }).out), `depth ${depth}`).toEqual(Array.from(evaluate(oneHot(y, depth), { y: labels })));
    }
  });

  it("leaves a row of zeros for an index outside [0, depth) and writes nothing outside its output", () => {
    // run() range-checks label feeds first, so the kernel is called directly here.
    const depth = 6;
    const indices = [0, -1, 5, 6, 2 ** 31 - 1, -(2 ** 31), 3];
    const memory = new wasm.Memory({ initial: 1 });
    const i32 = new Int32Array(memory.buffer);
    const f32 = new Float32Array(memory.buffer);
    i32.set(indices, 4);
    const out = 64; // float index; guards before and after
    f32.fill(Number.NaN, out - 4, out + indices.length * depth + 4);
    const instance = new wasm.Instance(new wasm.Module(buildModule({ shared: false }, [{ name: "oh", fn: buildOneHot(indices.length, depth) }])), { env: { memory } });
    (instance.exports.oh as (a: number, b: number) => void)(16, 4 * out);
    const want = indices.flatMap((v) => Array.from({ length: depth }, (_, j) => (j === v ? 1 : 0)));
    expect(Array.from(f32.subarray(out, out + want.length))).toEqual(want);
    expect(Array.from(f32.subarray(out - 4, out)).every(Number.isNaN)).toBe(true);
    expect(Array.from(f32.subarray(out + want.length, out + want.length + 4)).every(Number.isNaN)).toBe(true);
  });
});
