import { conv2d, conv2dFilterGrad, conv2dTranspose, evaluate, input } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { expectClose } from "../testing/compare.ts";
import { buildConvKernels } from "./conv-build.ts";
import type { ConvSpec } from "./conv-kernels.ts";
import { seededRandom } from "./matmul-test-harness.ts";
import { wasm } from "./wasm-api.ts";

const specs: ConvSpec[] = [
  { name: "valid3", n: 2, h: 5, w: 6, c: 3, kh: 3, kw: 3, o: 4 },
  { name: "same5s2", n: 2, h: 8, w: 7, c: 4, kh: 5, kw: 5, o: 6, strides: [2, 2], pads: [1, 2, 1, 2] },
  { name: "asym", n: 1, h: 9, w: 7, c: 2, kh: 3, kw: 2, o: 5, strides: [3, 2], pads: [2, 0, 1, 3] },
  { name: "dilated", n: 2, h: 9, w: 10, c: 5, kh: 3, kw: 2, o: 3, dilations: [2, 3], pads: [1, 1, 1, 1] },
  { name: "groups2", n: 2, h: 5, w: 5, c: 8, kh: 3, kw: 3, o: 6, groups: 2, pads: [1, 1, 1, 1] },
  { name: "depthwise", n: 1, h: 6, w: 5, c: 3, kh: 3, kw: 3, o: 6, groups: 3, strides: [2, 1], pads: [1, 1, 1, 1] },
  // Long channel runs (the looped copy path) and a 1×1 kernel.
  { name: "wide", n: 1, h: 4, w: 3, c: 70, kh: 2, kw: 2, o: 9, pads: [0, 1, 1, 0] },
  { name: "pointwise", n: 3, h: 3, w: 4, c: 6, kh: 1, kw: 1, o: 7 },
  { name: "fused", n: 2, h: 6, w: 6, c: 3, kh: 3, kw: 3, o: 8, pads: [1, 1, 1, 1], bias: true, activation: "relu" },
];

describe("buildConvKernels: im2col + the matmul kernels, against the reference interpreter", () => {
  const built = buildConvKernels(specs, { scratchOffset: 16 });
  const memoryBytes = 16 + built.scratchBytes + 4 * 40000;
  const memory = new wasm.Memory({ initial: Math.ceil(memoryBytes / 65536) });
  const kernels = built.instantiate(memory);

  it("validates as one module", () => {
    expect(wasm.validate(built.bytes)).toBe(true);
  });

  for (const s of specs) {
    it(`${s.name}: forward, input gradient and filter gradient`, () => {
      const groups = s.groups ?? 1;
      const options = { strides: s.strides, dilations: s.dilations, padding: s.pads ?? 0, groups };
      const x = input("x", [s.n, s.h, s.w, s.c]);
      const w = input("w", [s.kh, s.kw, s.c / groups, s.o]);
      const y = conv2d(x, w, options);
      const [, oh, ow] = y.shape as readonly number[];
      const g = input("g", [s.n, oh, ow, s.o]);
      const bias = input("b", [s.o]);
      const forward = s.bias ? (s.activation === "relu" ? y.add(bias).relu() : y.add(bias)) : y;
      const dx = conv2dTranspose(g, w, { ...options, inputSize: [s.h, s.w] });
      const dw = conv2dFilterGrad(x, g, { ...options, kernelSize: [s.kh, s.kw] });

      const random = seededRandom(s.name.length * 7 + s.c);
      const data = (n: number) => Float32Array.from({ length: n }, random);
      const feeds = { x: data(s.n * s.h * s.w * s.c), w: data(s.kh * s.kw * (s.c / groups) * s.o), g: data(s.n * oh * ow * s.o), b: data(s.o) };
      const [want, wantDx, wantDw] = evaluate([forward, dx, dw], feeds);

      // Operands one after another past the scratch, at odd float offsets.
      const f32 = new Float32Array(memory.buffer);
      let at = (16 + built.scratchBytes) / 4 + 3;
      const place = (values: Float32Array | number) => {
        const start = at;
        const n = typeof values === "number" ? values : values.length;
        f32.fill(Number.NaN, start, start + n + 5);
        if (typeof values !== "number") f32.set(values, start);
        at += n + 5;
        return start;
      };
      const [xAt, wAt, gAt, bAt] = [place(feeds.x), place(feeds.w), place(feeds.g), place(feeds.b)];
      const [yAt, dxAt, dwAt] = [place(want.length), place(wantDx.length), place(wantDw.length)];
      const k = kernels[s.name];
      k.forward(4 * xAt, 4 * wAt, 4 * yAt, 4 * bAt);
      k.inputGrad(4 * gAt, 4 * wAt, 4 * dxAt);
      k.filterGrad(4 * xAt, 4 * gAt, 4 * dwAt);
      expectClose(f32.subarray(yAt, yAt + want.length), want, `${s.name} forward`);
      expectClose(f32.subarray(dxAt, dxAt + wantDx.length), wantDx, `${s.name} input gradient`);
      expectClose(f32.subarray(dwAt, dwAt + wantDw.length), wantDw, `${s.name} filter gradient`);
      // Nothing written past an output (the gap after each is still NaN).
      for (const [start, n] of [
        [yAt, want.length],
        [dxAt, wantDx.length],
        [dwAt, wantDw.length],
      ]) {
        expect(Number.isNaN(f32[start + n])).toBe(true);
      }
    });
  }

  it("padding is zeros that multiply, as in the reference: a NaN weight over the padding gives NaN", () => {
    const one = buildConvKernels([{ name: "p", n: 1, h: 1, w: 3, c: 1, kh: 1, kw: 3, o: 1, pads: [0, 0, 1, 1] }], { scratchOffset: 0 });
    const mem = new wasm.Memory({ initial: 1 });
    const f32 = new Float32Array(mem.buffer);
    f32.set([1, 2, 3], 100);
    f32.set([10, 1, Number.POSITIVE_INFINITY], 200);
    one.instantiate(mem).p.forward(400, 800, 1200);
    const want = evaluate(conv2d(input("x", [1, 1, 3, 1]), input("w", [1, 3, 1, 1]), { padding: [0, 0, 1, 1] }), { x: [1, 2, 3], w: [10, 1, Number.POSITIVE_INFINITY] });
    expect(Array.from(f32.subarray(300, 303))).toEqual(Array.from(want));
  });

  it("refuses specs that cannot be built, naming the field", () => {
    expect(() => buildConvKernels([{ name: "bad", n: 1, h: 2, w: 2, c: 3, kh: 3, kw: 3, o: 2 }])).toThrow(/conv kernel "bad": a 3×3 kernel does not fit a 2×2 input/);
    expect(() => buildConvKernels([{ name: "bad", n: 1, h: 4, w: 4, c: 3, kh: 3, kw: 3, o: 2, groups: 2 }])).toThrow(/groups 2 must divide c 3/);
    expect(() => buildConvKernels([{ name: "bad", n: 0, h: 4, w: 4, c: 3, kh: 3, kw: 3, o: 2 }])).toThrow(/n must be a positive integer, got 0/);
  });
});
