import { describe, expect, test } from "vitest";
import { uniform } from "../../test/random.ts";
import { evaluate } from "../evaluate.ts";
import { grad } from "../grad.ts";
import { conv2d, conv2dFilterGrad, conv2dTranspose, type Conv2dOptions } from "./conv2d.ts";
import { transpose } from "./layout.ts";
import { input } from "./leaves.ts";
import { sum } from "./reduce.ts";
import { mul } from "./binary.ts";

/**
 * The independent reference: PyTorch's definition written out in NCHW with an
 * OIHW filter (so none of the op's NHWC indexing is reused), explicit pads.
 */
function naiveNchw(x: number[][][][], w: number[][][][], o: { stride: [number, number]; dilation: [number, number]; pads: [number, number, number, number]; groups: number }) {
  const [n, c, h, wd] = [x.length, x[0].length, x[0][0].length, x[0][0][0].length];
  const [oc, cg, kh, kw] = [w.length, w[0].length, w[0][0].length, w[0][0][0].length];
  const oh = Math.floor((h + o.pads[0] + o.pads[1] - (kh - 1) * o.dilation[0] - 1) / o.stride[0]) + 1;
  const ow = Math.floor((wd + o.pads[2] + o.pads[3] - (kw - 1) * o.dilation[1] - 1) / o.stride[1]) + 1;
  const og = oc / o.groups;
  expect(cg * o.groups).toBe(c);
  return Array.from({ length: n }, (_, b) =>
    Array.from({ length: oc }, (_, m) =>
      Array.from({ length: oh }, (_, i) =>
        Array.from({ length: ow }, (_, j) => {
          let s = 0;
          const grp = Math.floor(m / og);
          for (let k = 0; k < cg; k++)
            for (let a = 0; a < kh; a++)
              for (let t = 0; t < kw; t++) {
                const r = i * o.stride[0] - o.pads[0] + a * o.dilation[0];
                const q = j * o.stride[1] - o.pads[2] + t * o.dilation[1];
                if (r >= 0 && r < h && q >= 0 && q < wd) s += x[b][grp * cg + k][r][q] * w[m][k][a][t];
              }
          return s;
        }),
      ),
    ),
  );
}

/** Nested array of `shape` from flat row-major data. */
function nest(flat: ArrayLike<number>, shape: number[]): any {
  if (shape.length === 0) return flat[0];
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(Array.from(flat).slice(i * inner, (i + 1) * inner), shape.slice(1)));
}

interface Geometry {
  x: [number, number, number, number]; // NHWC
  w: [number, number, number, number]; // HWIO
  options: Conv2dOptions;
  pads: [number, number, number, number];
}

const geometries: Record<string, Geometry> = {
  "valid 3×3": { x: [2, 5, 6, 3], w: [3, 3, 3, 4], options: {}, pads: [0, 0, 0, 0] },
  "same, stride 2 (odd input: the extra pad goes after)": { x: [1, 7, 6, 2], w: [3, 3, 2, 3], options: { strides: 2, padding: "same" }, pads: [1, 1, 0, 1] },
  "explicit pads, dilation 2×3": { x: [1, 9, 8, 2], w: [2, 3, 2, 2], options: { padding: [1, 2, 0, 3], dilations: [2, 3] }, pads: [1, 2, 0, 3] },
  "groups 2": { x: [2, 4, 4, 4], w: [3, 1, 2, 6], options: { groups: 2, padding: [1, 1] }, pads: [1, 1, 1, 1] },
  "depthwise ×2, stride 3×1": { x: [1, 8, 5, 3], w: [3, 3, 1, 6], options: { groups: 3, strides: [3, 1], padding: 1 }, pads: [1, 1, 1, 1] },
};

describe("conv2d against an NCHW loop written from PyTorch's definition", () => {
  for (const [name, geo] of Object.entries(geometries)) {
    test(name, () => {
      const xd = uniform(geo.x.reduce((a, b) => a * b, 1));
      const wd = uniform(geo.w.reduce((a, b) => a * b, 1));
      const x = input("x", geo.x);
      const w = input("w", geo.w);
      const y = conv2d(x, w, geo.options);
      // NHWC → NCHW and HWIO → OIHW by the graph's own transpose, then the naive loop.
      const [xn, wn] = evaluate([transpose(x, [0, 3, 1, 2]), transpose(w, [3, 2, 0, 1])], { x: xd, w: wd });
      const [n, h, wdt, c] = geo.x;
      const [kh, kw, cg, o] = geo.w;
      const expected = naiveNchw(nest(xn, [n, c, h, wdt]), nest(wn, [o, cg, kh, kw]), {
        stride: typeof geo.options.strides === "number" ? [geo.options.strides, geo.options.strides] : ((geo.options.strides as [number, number]) ?? [1, 1]),
        dilation: typeof geo.options.dilations === "number" ? [geo.options.dilations, geo.options.dilations] : ((geo.options.dilations as [number, number]) ?? [1, 1]),
        pads: geo.pads,
        groups: geo.options.groups ?? 1,
      });
      expect(y.params).toMatchObject({ pads: geo.pads });
      // The NCHW answer through transpose is what the NHWC op gives.
      const got = evaluate(transpose(y, [0, 3, 1, 2]), { x: xd, w: wd });
      const flat = (expected as unknown as number[][][][]).flat(3);
      expect(got.length).toBe(flat.length);
      flat.forEach((v, i) => {
        expect(got[i]).toBeCloseTo(v, 12);
      });
    });
  }

  test("PyTorch's singular names stride and dilation mean strides and dilations", () => {
    const x = input("x", [1, 9, 9, 2]);
    const w = input("w", [3, 3, 2, 2]);
    expect(conv2d(x, w, { stride: 2, dilation: [2, 1], padding: 1 })).toBe(conv2d(x, w, { strides: 2, dilations: [2, 1], padding: 1 }));
  });

  test('"same" keeps ceil(size / stride) positions, like TensorFlow', () => {
    const y = conv2d(input("x", [1, 7, 8, 1]), input("w", [4, 3, 1, 1]), { strides: [2, 3], padding: "same" });
    expect(y.shape).toEqual([1, 4, 3, 1]);
  });

  test("NaN and ±Inf propagate; padding is literal zeros (0·NaN = NaN, as in PyTorch)", () => {
    const x = input("x", [1, 1, 3, 1]);
    const w = input("w", [1, 3, 1, 1]);
    const y = conv2d(x, w, { padding: [0, 0, 1, 1] });
    // w's end taps meet the padding at the edges: 0·NaN and 0·∞ are NaN there too.
    expect(Array.from(evaluate(y, { x: [1, 2, 3], w: [Number.NaN, 1, 0] }))).toEqual([Number.NaN, Number.NaN, Number.NaN]);
    expect(Array.from(evaluate(y, { x: [1, 2, 3], w: [10, 1, Number.POSITIVE_INFINITY] }))).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.NaN]);
    expect(Array.from(evaluate(y, { x: [1, 2, 3], w: [10, 1, 2] }))).toEqual([5, 18, 23]);
    // The same as the valid conv of the zero-padded input.
    const viaPad = conv2d(x.pad([0, 0, 1, 0], [0, 0, 1, 0]), w);
    expect(Array.from(evaluate(viaPad, { x: [1, 2, 3], w: [10, 1, Number.POSITIVE_INFINITY] }))).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.NaN]);
  });
});

describe("the gradient ops are the adjoints of conv2d", () => {
  test("⟨conv2d(x, w), g⟩ = ⟨x, conv2dTranspose(g, w)⟩ = ⟨w, conv2dFilterGrad(x, g)⟩", () => {
    const opts = { strides: [2, 1] as [number, number], padding: [1, 0, 2, 1] as const, dilations: [1, 2] as [number, number], groups: 2 };
    const x = input("x", [2, 5, 6, 4]);
    const w = input("w", [3, 2, 2, 6]);
    const y = conv2d(x, w, opts);
    const gy = input("g", y.shape);
    const feeds = { x: uniform(240), w: uniform(72), g: uniform(y.shape.reduce((a: number, b) => a * (b as number), 1)) };
    const lhs = evaluate(sum(mul(y, gy)), feeds)[0];
    const viaInput = evaluate(sum(mul(x, conv2dTranspose(gy, w, { ...opts, inputSize: [5, 6] }))), feeds)[0];
    const viaFilter = evaluate(sum(mul(w, conv2dFilterGrad(x, gy, { ...opts, kernelSize: [3, 2] }))), feeds)[0];
    expect(viaInput).toBeCloseTo(lhs, 12);
    expect(viaFilter).toBeCloseTo(lhs, 12);
  });

  test("grad builds the family's ops, and grad of grad stays in it", () => {
    const x = input("x", [1, 4, 4, 2]);
    const w = input("w", [3, 3, 2, 2]);
    const [dx, dw] = grad(sum(conv2d(x, w, { padding: "same" })), [x, w]);
    const kinds = (t: { op: string; inputs: readonly any[] }, seen = new Set<string>()): Set<string> => {
      seen.add(t.op);
      for (const i of t.inputs) kinds(i, seen);
      return seen;
    };
    expect(kinds(dx).has("conv2dTranspose")).toBe(true);
    expect(kinds(dw).has("conv2dFilterGrad")).toBe(true);
    const [ddw] = grad(sum(mul(dx, dx)), [w]);
    expect(ddw.shape).toEqual([3, 3, 2, 2]);
  });
});

describe("conv2d shape errors name the op, the operands and the call site", () => {
  const x = input("x", [2, 5, 5, 3]);
  test.each([
    [
      "channel mismatch",
      () => conv2d(x, input("w", [3, 3, 2, 4]) as never),
      /conv2d: input channels 3 must equal the filter's in-channels 2 × groups 1; operands float32\[2, 5, 5, 3\], float32\[3, 3, 2, 4\] \(at .*conv2d\.test\.ts/,
    ],
    ["groups not dividing the outputs", () => conv2d(x, input("w", [3, 3, 1, 4]), { groups: 3 }), /output channels 4 must be a multiple of groups 3/],
    ["kernel larger than the padded input", () => conv2d(x, input("w", [7, 1, 3, 1])), /does not fit a 5×5 input/],
    ["rank 3 input", () => conv2d(input("v", [5, 5, 3]) as never, input("w", [3, 3, 3, 1]) as never), /must be rank 4/],
    ["zero stride", () => conv2d(x, input("w", [3, 3, 3, 1]), { strides: 0 }), /conv2d: strides: expected positive integers, got 0; operands/],
    ["negative padding", () => conv2d(x, input("w", [3, 3, 3, 1]), { padding: -1 }), /padding must be/],
    ["fractional groups", () => conv2d(x, input("w", [3, 3, 3, 1]), { groups: 1.5 }), /groups must be a positive integer, got 1.5/],
    ["symbolic spatial dims", () => conv2d(input("v", ["b", "h", 5, 3]), input("w", [3, 3, 3, 1])), /spatial dims must be static/],
    ["int32 input", () => conv2d(input("v", [1, 3, 3, 1], "int32"), input("w", [1, 1, 1, 1], "int32")), /expected float32, got int32/],
    [
      "a misspelt option",
      () => conv2d(x, input("w", [3, 3, 3, 1]), { kernel_size: 3 } as never),
      /conv2d: unknown option "kernel_size"; expected strides, stride, padding, dilations, dilation, groups; operands/,
    ],
    ["stride and strides disagreeing", () => conv2d(x, input("w", [3, 3, 3, 1]), { stride: 2, strides: 1 }), /strides 1 and stride 2 disagree/],
    ["transpose without inputSize", () => conv2dTranspose(x, input("w", [3, 3, 3, 3]), {} as never), /conv2dTranspose: expected a size \[h, w\]/],
    ["transpose to a size the gradient does not fit", () => conv2dTranspose(x, input("w", [3, 3, 3, 3]), { inputSize: [9, 9] }), /does not match the conv output/],
  ])("%s", (_name, build, message) => {
    expect(build).toThrow(message);
  });
});
