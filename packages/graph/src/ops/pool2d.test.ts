import { describe, expect, test } from "vitest";
import { uniform } from "../../test/random.ts";
import { evaluate } from "../evaluate.ts";
import { grad } from "../grad.ts";
import { avgPool2d, globalAvgPool2d } from "./avg-pool2d.ts";
import { mul } from "./binary.ts";
import { input } from "./leaves.ts";
import { maxPool2d } from "./max-pool2d.ts";
import { sum } from "./reduce.ts";

const NaN_ = Number.NaN;
const Inf = Number.POSITIVE_INFINITY;

/** Naive pooling over one [h, w] plane, taps in the padding skipped; `pick` folds a window. */
function naivePlane(plane: number[][], k: [number, number], s: [number, number], pads: [number, number, number, number], pick: (vs: number[]) => number): number[][] {
  const [h, w] = [plane.length, plane[0].length];
  const oh = Math.floor((h + pads[0] + pads[1] - k[0]) / s[0]) + 1;
  const ow = Math.floor((w + pads[2] + pads[3] - k[1]) / s[1]) + 1;
  return Array.from({ length: oh }, (_, i) =>
    Array.from({ length: ow }, (_, j) => {
      const vs: number[] = [];
      for (let a = 0; a < k[0]; a++)
        for (let b = 0; b < k[1]; b++) {
          const r = i * s[0] - pads[0] + a;
          const c = j * s[1] - pads[2] + b;
          if (r >= 0 && r < h && c >= 0 && c < w) vs.push(plane[r][c]);
        }
      return pick(vs);
    }),
  );
}

describe("pooling against a naive loop (one channel planes)", () => {
  const data = uniform(2 * 7 * 6);
  const planes = [0, 1].map((b) => Array.from({ length: 7 }, (_, r) => Array.from(data.slice(b * 42 + r * 6, b * 42 + r * 6 + 6))));
  const x = input("x", [2, 7, 6, 1]);
  test.each([
    ["max 3×2 stride 2 padded 1", maxPool2d(x, [3, 2], { strides: 2, padding: 1 }), [3, 2], [2, 2], [1, 1, 1, 1], (vs: number[]) => Math.max(...vs)],
    ["max 2 default stride", maxPool2d(x, 2), [2, 2], [2, 2], [0, 0, 0, 0], (vs: number[]) => Math.max(...vs)],
    [
      "avg 3 stride 1 same (padding not counted)",
      avgPool2d(x, 3, { strides: 1, padding: "same" }),
      [3, 3],
      [1, 1],
      [1, 1, 1, 1],
      (vs: number[]) => vs.reduce((a, b) => a + b) / vs.length,
    ],
    [
      "avg 3 stride 2 padded, countIncludePad (PyTorch's default: divide by 9)",
      avgPool2d(x, 3, { strides: 2, padding: 1, countIncludePad: true }),
      [3, 3],
      [2, 2],
      [1, 1, 1, 1],
      (vs: number[]) => vs.reduce((a, b) => a + b) / 9,
    ],
    [
      "avg 2×3 stride [2, 1] explicit",
      avgPool2d(x, [2, 3], { strides: [2, 1], padding: [0, 1, 2, 0] }),
      [2, 3],
      [2, 1],
      [0, 1, 2, 0],
      (vs: number[]) => vs.reduce((a, b) => a + b) / vs.length,
    ],
  ] as const)("%s", (_name, y, k, s, pads, pick) => {
    const expected = planes.flatMap((p) => naivePlane(p, k as [number, number], s as [number, number], pads as [number, number, number, number], pick).flat());
    const got = evaluate(y, { x: data });
    expect(got.length).toBe(expected.length);
    expected.forEach((v, i) => {
      expect(got[i]).toBeCloseTo(v, 12);
    });
  });

  test("stride (PyTorch's name) is strides; strides default to the window", () => {
    expect(maxPool2d(x, 3, { stride: 1 })).toBe(maxPool2d(x, 3, { strides: 1 }));
    expect(avgPool2d(x, [3, 2])).toBe(avgPool2d(x, [3, 2], { strides: [3, 2] }));
  });

  test("globalAvgPool2d is the mean over height and width", () => {
    const y = globalAvgPool2d(input("z", [2, 3, 2, 2]));
    expect(y.shape).toEqual([2, 2]);
    const z = Array.from({ length: 24 }, (_, i) => i);
    expect(Array.from(evaluate(y, { z }))).toEqual([5, 6, 17, 18]);
  });
});

describe("max pooling follows PyTorch on ties, NaN and −∞", () => {
  const x = input("x", [1, 1, 4, 1]);
  const pool = maxPool2d(x, [1, 4]);
  const gradOf = (values: number[]) => evaluate(grad(sum(mul(pool, 5)), [x])[0], { x: values });

  test("a tie sends the whole gradient to the first maximum", () => {
    expect(Array.from(evaluate(pool, { x: [1, 3, 3, 2] }))).toEqual([3]);
    expect(Array.from(gradOf([1, 3, 3, 2]))).toEqual([0, 5, 0, 0]);
  });
  test("NaN wins the window and takes the gradient (the last NaN when there are several)", () => {
    expect(Array.from(evaluate(pool, { x: [1, NaN_, 9, 2] }))).toEqual([NaN_]);
    expect(Array.from(gradOf([1, NaN_, 9, 2]))).toEqual([0, 5, 0, 0]);
    expect(Array.from(gradOf([NaN_, 1, NaN_, 2]))).toEqual([0, 0, 5, 0]);
  });
  test("±∞ are ordinary values; a window of −∞ takes its first element", () => {
    expect(Array.from(evaluate(pool, { x: [1, Inf, 9, Inf] }))).toEqual([Inf]);
    expect(Array.from(gradOf([1, Inf, 9, Inf]))).toEqual([0, 5, 0, 0]);
    expect(Array.from(evaluate(pool, { x: [-Inf, -Inf, -Inf, -Inf] }))).toEqual([-Inf]);
    expect(Array.from(gradOf([-Inf, -Inf, -Inf, -Inf]))).toEqual([5, 0, 0, 0]);
  });
  test("padding is never the maximum, even over negative values", () => {
    const padded = maxPool2d(x, [1, 3], { strides: 1, padding: [0, 0, 1, 1] });
    expect(Array.from(evaluate(padded, { x: [-4, -3, -2, -1] }))).toEqual([-3, -2, -1, -1]);
  });
  test("overlapping windows add their gradients at a shared argmax", () => {
    const y = maxPool2d(x, [1, 2], { strides: 1 });
    expect(Array.from(evaluate(grad(sum(y), [x])[0], { x: [0, 9, 1, 2] }))).toEqual([0, 2, 0, 1]);
  });
});

describe("pooling errors name the op, the operand and the call site", () => {
  const x = input("x", [2, 5, 5, 3]);
  test.each([
    [
      "window larger than the input",
      () => maxPool2d(x, 6),
      /maxPool2d: a 6×6 kernel .* does not fit a 5×5 input padded by \[0,0,0,0\]; operands float32\[2, 5, 5, 3\], float32\[2, 5, 5, 3\] \(at .*pool2d\.test\.ts/,
    ],
    ["padding as large as the window", () => avgPool2d(x, 2, { padding: 2 }), /leaves window row 0 with no input element/],
    ["zero window", () => avgPool2d(x, 0), /avgPool2d: window: expected positive integers, got 0/],
    ["a misspelt option", () => maxPool2d(x, 2, { stides: 1 } as never), /maxPool2d: unknown option "stides"/],
    ["countIncludePad on max pooling", () => maxPool2d(x, 2, { countIncludePad: true } as never), /maxPool2d: unknown option "countIncludePad"/],
    ["a non-boolean countIncludePad", () => avgPool2d(x, 2, { countIncludePad: 1 } as never), /avgPool2d: countIncludePad must be a boolean, got 1/],
    ["rank 3", () => avgPool2d(input("v", [5, 5, 3]) as never, 2), /must be rank 4/],
    ["global pooling of rank 2", () => globalAvgPool2d(input("v", [5, 3]) as never), /globalAvgPool2d: expected a rank-4 NHWC tensor/],
  ])("%s", (_name, build, message) => {
    expect(build).toThrow(message);
  });
});
