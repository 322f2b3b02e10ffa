import { describe, expect, it } from "vitest";
import { FunctionBuilder } from "./function-builder.ts";
import { buildModule } from "./module-builder.ts";
import { wasmFeatures } from "./features.ts";
import { wasm } from "./wasm-api.ts";

function run(fn: FunctionBuilder, memory = new wasm.Memory({ initial: 1 })) {
  const bytes = buildModule({ shared: false }, [{ name: "f", fn }]);
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
  return { f: instance.exports.f as (...args: number[]) => number, memory };
}

describe("FunctionBuilder + buildModule", () => {
  it("runs counted loops with repeat(): sum of 1..n", () => {
    const fn = new FunctionBuilder(["i32"], ["i32"]);
    const [n] = [fn.param(0)];
    const counter = fn.local("i32"),
      sum = fn.local("i32"),
      i = fn.local("i32");
    fn.repeat(counter, 100, () => {
      fn.addTo(i, 1);
      fn.get(sum).get(i).core("i32.add").set(sum);
    });
    fn.get(sum).get(n).core("i32.add");
    expect(run(fn).f(7)).toBe(5050 + 7);
  });

  it("branches out of blocks with brIf", () => {
    const fn = new FunctionBuilder(["i32"], ["i32"]);
    const out = fn.local("i32");
    fn.i32(10).set(out);
    fn.block((exit) => {
      fn.get(fn.param(0)).brIf(exit);
      fn.i32(20).set(out);
    });
    fn.get(out);
    const { f } = run(fn);
    expect(f(1)).toBe(10);
    expect(f(0)).toBe(20);
  });

  it("loads, computes and stores f32x4 with constant offsets and extracts lanes", () => {
    const fn = new FunctionBuilder(["i32"], ["f32"]);
    const p = fn.param(0);
    const v = fn.local("v128");
    fn.get(p).simdMem("v128.load", 16).get(p).simdMem("v128.load32_splat", 4).simd("f32x4.mul").f32x4(1).simd("f32x4.add").set(v);
    fn.get(p).get(v).simdMem("v128.store", 64);
    fn.get(v).lane("f32x4.extract_lane", 3);
    const { f, memory } = run(fn);
    const f32 = new Float32Array(memory.buffer);
    f32.set([0, 2, 0, 0, 1, 2, 3, 4], 0);
    expect(f(0)).toBe(4 * 2 + 1);
    expect(Array.from(f32.subarray(16, 20))).toEqual([3, 5, 7, 9]);
  });

  it("reports that Node 20 validates SIMD and whether relaxed SIMD is available", () => {
    const features = wasmFeatures();
    expect(features.simd).toBe(true);
    expect(typeof features.relaxedSimd).toBe("boolean");
  });

  it("refuses to encode an unclosed block", () => {
    const fn = new FunctionBuilder([]);
    expect(() =>
      fn.loop(() => {
        fn.encode();
      }),
    ).toThrow(/unclosed/);
  });
});
