import { avgPool2d, evaluate, input, maxPool2d } from "@gradfold/graph";
import { apply, registry } from "@gradfold/graph/internal";
import { describe, expect, it } from "vitest";
import { expectClose } from "../testing/compare.ts";
import { buildPoolKernels } from "./conv-build.ts";
import type { PoolSpec } from "./conv-pool.ts";
import { seededRandom } from "./matmul-test-harness.ts";
import { wasm } from "./wasm-api.ts";

const geometries: Omit<PoolSpec, "name" | "kind">[] = [
  { n: 2, h: 6, w: 6, c: 4, window: [2, 2] },
  { n: 2, h: 7, w: 6, c: 3, window: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
  { n: 1, h: 7, w: 9, c: 9, window: [2, 3], strides: [1, 2], dilations: [2, 1], pads: [1, 0, 0, 2] },
  { n: 3, h: 5, w: 4, c: 1, window: [3, 2], strides: [1, 1], pads: [2, 0, 1, 1] },
  { n: 1, h: 8, w: 8, c: 16, window: [2, 2] },
];
const specs: PoolSpec[] = geometries.flatMap((g, i) => [
  { ...g, name: `max${i}`, kind: "max" as const },
  { ...g, name: `avg${i}`, kind: "avg" as const },
  { ...g, name: `avgIncl${i}`, kind: "avg" as const, countIncludePad: true },
]);

/** The graph op and its gradient op for a spec, with the same geometry. */
function reference(s: PoolSpec) {
  const x = input("x", [s.n, s.h, s.w, s.c]);
  const options = { strides: s.strides ?? s.window, dilations: s.dilations, padding: s.pads ?? 0 };
  const y = s.kind === "max" ? maxPool2d(x, s.window, options) : avgPool2d(x, s.window, { ...options, countIncludePad: s.countIncludePad ?? false });
  const g = input("g", y.shape);
  const dx =
    s.kind === "max" ? apply(registry.maxPool2dGrad, [x, g], y.params as never) : apply(registry.avgPool2dGrad, [g], { ...(y.params as object), inputSize: [s.h, s.w] } as never);
  return { y, dx, outCount: (y.shape as readonly number[]).reduce((a, b) => a * b, 1) };
}

function run(s: PoolSpec, xData: Float32Array, gData: Float32Array) {
  const built = buildPoolKernels([s]);
  const memory = new wasm.Memory({ initial: 4 });
  const k = built.instantiate(memory)[s.name];
  const f32 = new Float32Array(memory.buffer);
  const [xAt, gAt, yAt, dxAt] = [11, 11 + xData.length + 7, 20000, 40000];
  f32.fill(Number.NaN, 0, 60000);
  f32.set(xData, xAt);
  f32.set(gData, gAt);
  k.forward(4 * xAt, 4 * yAt);
  k.backward(4 * xAt, 4 * gAt, 4 * dxAt);
  return { y: f32.slice(yAt, yAt + gData.length + 1), dx: f32.slice(dxAt, dxAt + xData.length + 1), bytes: built.bytes };
}

describe("buildPoolKernels: SIMD pooling forward and backward against the reference", () => {
  for (const s of specs) {
    it(`${s.name}: ${s.kind} ${s.window.join("×")} over [${s.n}, ${s.h}, ${s.w}, ${s.c}]`, () => {
      const { y, dx, outCount } = reference(s);
      const random = seededRandom(s.name.length * 13 + s.c);
      const xData = Float32Array.from({ length: s.n * s.h * s.w * s.c }, random);
      const gData = Float32Array.from({ length: outCount }, random);
      const [want, wantDx] = evaluate([y, dx], { x: xData, g: gData });
      const got = run(s, xData, gData);
      expect(wasm.validate(got.bytes)).toBe(true);
      expectClose(got.y.subarray(0, outCount), want, `${s.name} forward`);
      expectClose(got.dx.subarray(0, xData.length), wantDx, `${s.name} backward`);
      // Nothing written past either output.
      expect(Number.isNaN(got.y[outCount])).toBe(true);
      expect(Number.isNaN(got.dx[xData.length])).toBe(true);
    });
  }

  it("max: ties go to the first maximum, NaN wins (the last NaN), −∞ windows take their first element", () => {
    const I = Number.NEGATIVE_INFINITY;
    const s: PoolSpec = { name: "ties", kind: "max", n: 1, h: 1, w: 16, c: 1, window: [1, 4] };
    const xData = Float32Array.of(1, 3, 3, 2, Number.NaN, 9, Number.NaN, 1, I, I, I, I, 5, 5, 5, 5);
    const gData = Float32Array.of(2, 3, 5, 7);
    const { y, dx } = reference(s);
    const [want, wantDx] = evaluate([y, dx], { x: xData, g: gData });
    const got = run(s, xData, gData);
    expect(Array.from(got.y.subarray(0, 4))).toEqual(Array.from(want));
    expect(Array.from(got.dx.subarray(0, 16))).toEqual(Array.from(wantDx));
    expect(Array.from(got.dx.subarray(0, 16))).toEqual([0, 2, 0, 0, 0, 0, 3, 0, 5, 0, 0, 0, 7, 0, 0, 0]);
  });

  it("refuses windows that do not fit and pads as large as the window", () => {
    expect(() => buildPoolKernels([{ name: "p", kind: "max", n: 1, h: 2, w: 2, c: 1, window: [3, 3] }])).toThrow(/pool kernel "p": a 3×3 window does not fit/);
    expect(() => buildPoolKernels([{ name: "p", kind: "avg", n: 1, h: 4, w: 4, c: 1, window: [2, 2], pads: [2, 0, 0, 0] }])).toThrow(/each pad must be smaller than the window/);
  });
});
