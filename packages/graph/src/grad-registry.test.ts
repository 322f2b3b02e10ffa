/**
 * Every op's gradient against central finite differences in float64. The table is
 * keyed by OpKind, so a new op without a case here fails the compiler; the last test
 * also fails at run time if the registry grows past the table.
 */
import { describe, expect, test } from "vitest";
import { awayFromZero, uniform } from "../test/random.ts";
import { checkGrad } from "./check-grad.ts";
import { evaluate, type Feeds } from "./evaluate.ts";
import { grad } from "./grad.ts";
import { jvp } from "./jvp.ts";
import type { OpKind } from "./op.ts";
import * as g from "./ops/index.ts";
import { opKinds, registry } from "./registry.ts";
import { apply } from "./tensor.ts";
import { bindShape, numel, type Sizes } from "./shape.ts";
import type { AnyTensor } from "./tensor.ts";

interface Built {
  y: AnyTensor;
  /** Float inputs or params to differentiate with respect to. */
  xs: AnyTensor[];
  feeds: Feeds;
  sizes?: Sizes;
}

interface OpCase {
  /**
   * "smooth": grad matches finite differences. "zero": the op is piecewise constant in
   * xs[0], so no gradient flows to it. "blocked": the op is the identity that grad must
   * not see through (finite differences do), so only the zero gradient is checked.
   */
  kind: "smooth" | "zero" | "blocked";
  build: () => Built;
}

const x34 = () => g.input("x", [3, 4]);
const smooth = (build: () => Built): OpCase => ({ kind: "smooth", build });
/** y = f(x) for a unary op on [3, 4] with values from `data`. */
const unary = (f: (x: AnyTensor) => AnyTensor, data = () => uniform(12)): OpCase =>
  smooth(() => {
    const x = x34();
    return { y: f(x), xs: [x], feeds: { x: data() } };
  });
/** y = f(a, b) with a [3, 4] and b [4] (broadcast), so the vjp's unbroadcast is checked too. */
const binary = (f: (a: AnyTensor, b: AnyTensor) => AnyTensor, da = () => uniform(12), db = () => uniform(4)): OpCase =>
  smooth(() => {
    const a = x34();
    const b = g.input("b", [4]);
    return { y: f(a, b), xs: [a, b], feeds: { x: da(), b: db() } };
  });
/** A comparison's bool result scales w: finite differences in a and b are zero away from ties. */
const comparison = (f: (a: AnyTensor, b: AnyTensor) => AnyTensor): OpCase => ({
  kind: "zero",
  build: () => {
    const a = x34();
    const b = g.input("b", [4]);
    const w = g.input("w", [3, 4]);
    // No ties: finite differences would jump there (ties are checked by value in compare.test.ts).
    return { y: g.mul(g.cast(f(a, b), "float32"), w), xs: [a, b, w], feeds: { x: uniform(12), b: uniform(4), w: uniform(12) } };
  },
});

const convCase = (xShape: number[], wShape: number[], options: g.Conv2dOptions): OpCase =>
  smooth(() => {
    const x = g.input("x", xShape);
    const w = g.input("w", wShape);
    return { y: g.conv2d(x, w, options), xs: [x, w], feeds: { x: uniform(numel(xShape)), w: uniform(numel(wShape)) } };
  });
/** A pooling op on x [2, 5, 5, 3]; random values are tie-free, so max pooling is smooth there. */
const poolCase = (f: (x: AnyTensor) => AnyTensor): OpCase =>
  smooth(() => {
    const x = g.input("x", [2, 5, 5, 3]);
    return { y: f(x), xs: [x], feeds: { x: uniform(150) } };
  });

const cube = g.defineCustomOp({
  name: "cube",
  arity: 1,
  shape: ([x]) => x,
  scalar: (x) => x * x * x,
  vjp: ({ inputs: [x], grad: dy }) => [g.mul(dy, g.mul(g.mul(x, x), 3))],
});

const cases: { [K in OpKind]: OpCase } = {
  input: unary((x) => x),
  param: smooth(() => {
    const p = g.param("p", [3, 4], { init: uniform(12) });
    const x = x34();
    return { y: g.mul(p, x), xs: [p, x], feeds: { x: uniform(12) } };
  }),
  constant: unary((x) => g.mul(x, g.constant([1, -2, 3, 0.5], [4]))),
  size: smooth(() => {
    const x = g.input("x", ["batch", 2]);
    return { y: g.mul(x, g.size(["batch", 2])), xs: [x], feeds: { x: uniform(6) }, sizes: { batch: 3 } };
  }),
  neg: unary(g.neg),
  exp: unary(g.exp),
  log: unary(g.log, () => uniform(12, 0.3, 3)),
  log1p: unary(g.log1p, () => uniform(12, -0.7, 3)),
  expm1: unary(g.expm1),
  sqrt: unary(g.sqrt, () => uniform(12, 0.3, 3)),
  rsqrt: unary(g.rsqrt, () => uniform(12, 0.3, 3)),
  reciprocal: unary(g.reciprocal, () => awayFromZero(12)),
  abs: unary(g.abs, () => awayFromZero(12)),
  sign: {
    kind: "zero",
    build: () => {
      const x = x34();
      const w = g.input("w", [3, 4]);
      return { y: g.mul(g.sign(x), w), xs: [x, w], feeds: { x: awayFromZero(12), w: uniform(12) } };
    },
  },
  sigmoid: unary(g.sigmoid, () => uniform(12, -4, 4)),
  tanh: unary(g.tanh, () => uniform(12, -3, 3)),
  relu: unary(g.relu, () => awayFromZero(12)),
  softplus: unary(g.softplus, () => uniform(12, -5, 5)),
  erf: unary(g.erf, () => uniform(12, -2.5, 2.5)),
  add: binary(g.add),
  mul: binary(g.mul),
  div: binary(g.div, undefined, () => awayFromZero(4)),
  pow: binary(
    g.pow,
    () => uniform(12, 0.5, 2),
    () => uniform(4, -1.5, 1.5),
  ),
  maximum: binary(
    g.maximum,
    () => uniform(12, -1, 1),
    () => Float64Array.of(-0.55, 0.05, 0.45, 1.5),
  ),
  minimum: binary(
    g.minimum,
    () => uniform(12, -1, 1),
    () => Float64Array.of(-0.55, 0.05, 0.45, -1.5),
  ),
  less: comparison(g.less),
  lessEqual: comparison(g.lessEqual),
  greater: comparison(g.greater),
  greaterEqual: comparison(g.greaterEqual),
  equal: comparison(g.equal),
  notEqual: comparison(g.notEqual),
  where: smooth(() => {
    const c = g.input("c", [3, 1], "bool");
    const a = x34();
    const b = g.input("b", [4]);
    return { y: g.where(c, a, b), xs: [a, b], feeds: { c: [1, 0, 1], x: uniform(12), b: uniform(4) } };
  }),
  cast: {
    kind: "zero",
    build: () => {
      const x = x34();
      const w = g.input("w", [3, 4]);
      // Truncation to int32 is piecewise constant: keep x off the integers.
      const xv = uniform(12, -2.9, 2.9).map((v) => Math.trunc(v) + 0.3 + 0.4 * Math.abs(v - Math.trunc(v)));
      return { y: g.mul(g.cast(g.cast(x, "int32"), "float32"), w), xs: [x, w], feeds: { x: xv, w: uniform(12) } };
    },
  },
  stopGradient: {
    kind: "blocked",
    build: () => {
      const x = x34();
      return { y: g.mul(g.stopGradient(x), x), xs: [x], feeds: { x: uniform(12) } };
    },
  },
  sum: unary((x) => g.sum(x, [0], true)),
  max: unary((x) => g.max(x, -1)),
  logsumexp: unary((x) => g.logsumexp(x, 0)),
  softmax: unary(
    (x) => g.softmax(x, -1),
    () => uniform(12, -3, 3),
  ),
  logSoftmax: unary(
    (x) => g.logSoftmax(x, 0),
    () => uniform(12, -3, 3),
  ),
  softmaxCrossEntropy: smooth(() => {
    const x = x34();
    const labels = g.input("labels", [3], "int32");
    return { y: g.softmaxCrossEntropy(x, labels), xs: [x], feeds: { x: uniform(12, -3, 3), labels: Int32Array.of(2, 0, 3) } };
  }),
  matmul: smooth(() => {
    // Batched, broadcasting the batch of b, with transposed b.
    const a = g.input("a", [2, 3, 4]);
    const b = g.input("b", [1, 5, 4]);
    return { y: g.matmulT(a, b, false, true), xs: [a, b], feeds: { a: uniform(24), b: uniform(20) } };
  }),
  reshape: unary((x) => g.mul(g.reshape(x, [2, -1]), g.constant([1, 2, 3, 4, 5, 6], [6]))),
  transpose: unary((x) => g.mul(g.transpose(x), g.constant([1, 2, 3], [3]))),
  broadcastTo: smooth(() => {
    const x = g.input("x", [3, 1]);
    return {
      y: g.mul(
        g.broadcastTo(x, [2, 3, 4]),
        g.constant(
          Array.from({ length: 24 }, (_, i) => i),
          [2, 3, 4],
        ),
      ),
      xs: [x],
      feeds: { x: uniform(3) },
    };
  }),
  concat: smooth(() => {
    const a = x34();
    const b = g.input("b", [3, 2]);
    return { y: g.concat([a, b, a], 1), xs: [a, b], feeds: { x: uniform(12), b: uniform(6) } };
  }),
  slice: unary((x) => g.slice(x, [1, 1], [2, -1])),
  pad: unary((x) => g.pad(x, [1, 0], [0, 2])),
  gather: smooth(() => {
    const x = x34();
    const idx = g.input("idx", [2, 2], "int32");
    // Repeated index 3: its cotangents must add up.
    return { y: g.gather(x, idx, 1), xs: [x], feeds: { x: uniform(12), idx: Int32Array.of(3, 0, 3, 1) } };
  }),
  scatterAdd: smooth(() => {
    const u = g.input("u", [3, 5]);
    const idx = g.input("idx", [5], "int32");
    return { y: g.scatterAdd(u, idx, 1, 4), xs: [u], feeds: { u: uniform(15), idx: Int32Array.of(1, 3, 1, 0, 3) } };
  }),
  // Its int32 operand has no gradient at all; what flows is through w.
  oneHot: {
    kind: "smooth",
    build: () => {
      const idx = g.input("idx", [3], "int32");
      const w = g.input("w", [3, 4]);
      return { y: g.mul(g.oneHot(idx, 4), w), xs: [w], feeds: { idx: Int32Array.of(2, 0, 3), w: uniform(12) } };
    },
  },
  // A user-defined op goes through the same registry entry; x³ with d(x³) = 3x² dx.
  custom: unary((x) => cube(x)),
  // Two groups, stride 2×1, "same" padding, dilation 1×2 on odd spatial sizes.
  conv2d: convCase([2, 5, 6, 4], [3, 2, 2, 6], { groups: 2, strides: [2, 1], padding: "same", dilations: [1, 2] }),
  conv2dTranspose: smooth(() => {
    const gy = g.input("gy", [2, 3, 3, 3]);
    const w = g.input("w", [2, 3, 2, 3]);
    const y = g.conv2dTranspose(gy, w, { inputSize: [5, 7], strides: 2, padding: [1, 0, 0, 1] });
    return { y, xs: [gy, w], feeds: { gy: uniform(54), w: uniform(36) } };
  }),
  // Depthwise (groups = channels, two filters per channel).
  conv2dFilterGrad: smooth(() => {
    const x = g.input("x", [2, 5, 5, 3]);
    const gy = g.input("gy", [2, 5, 5, 6]);
    const y = g.conv2dFilterGrad(x, gy, { kernelSize: [3, 3], groups: 3, padding: 1 });
    return { y, xs: [x, gy], feeds: { x: uniform(150), gy: uniform(300) } };
  }),
  maxPool2d: poolCase((x) => g.maxPool2d(x, 3, { strides: 2, padding: 1 })),
  // The argmaxes come from x (held fixed); the gradient flows through g.
  maxPool2dGrad: smooth(() => {
    const x = g.input("x", [2, 5, 5, 3]);
    const gy = g.input("gy", [2, 3, 3, 3]);
    const params = g.maxPool2d(x, 3, { strides: 2, padding: 1 }).params;
    return { y: apply(registry.maxPool2dGrad, [x, gy], params as never), xs: [gy], feeds: { x: uniform(150), gy: uniform(54) } };
  }),
  avgPool2d: poolCase((x) => g.avgPool2d(x, [2, 3], { strides: [2, 1], padding: "same" })),
  avgPool2dGrad: smooth(() => {
    const gy = g.input("gy", [2, 3, 5, 3]);
    const params = g.avgPool2d(g.input("x", [2, 5, 5, 3]), [2, 3], { strides: [2, 1], padding: "same" }).params;
    return { y: apply(registry.avgPool2dGrad, [gy], { ...params, inputSize: [5, 5] } as never), xs: [gy], feeds: { gy: uniform(90) } };
  }),
};

/** More geometries for the window ops: odd sizes, strides, paddings, dilations, groups, a symbolic batch. */
const windowVariants: Record<string, OpCase> = {
  "conv2d 1×1 valid": convCase([1, 3, 3, 2], [1, 1, 2, 3], {}),
  "conv2d explicit asymmetric pads, dilation 2": convCase([1, 7, 5, 2], [3, 2, 2, 3], { padding: [2, 0, 1, 3], dilations: 2 }),
  "conv2d stride 3, kernel larger than stride": convCase([2, 8, 7, 1], [4, 5, 1, 2], { strides: 3, padding: "same" }),
  "conv2d depthwise ×2": convCase([1, 5, 4, 3], [3, 3, 1, 6], { groups: 3, padding: "same" }),
  "conv2d symbolic batch": smooth(() => {
    const x = g.input("x", ["batch", 4, 4, 2]);
    const w = g.input("w", [3, 3, 2, 2]);
    return { y: g.conv2d(x, w, { padding: 1, strides: 2 }), xs: [x, w], feeds: { x: uniform(96), w: uniform(36) }, sizes: { batch: 3 } };
  }),
  "maxPool2d dilated, overlapping, same": poolCase((x) => g.maxPool2d(x, 2, { strides: 1, dilations: 2, padding: "same" })),
  "avgPool2d 3×3 stride 1 padded": poolCase((x) => g.avgPool2d(x, 3, { strides: 1, padding: 1 })),
  "avgPool2d countIncludePad": poolCase((x) => g.avgPool2d(x, [3, 2], { strides: [2, 1], padding: [1, 1, 1, 0], countIncludePad: true })),
  globalAvgPool2d: poolCase((x) => g.globalAvgPool2d(x)),
};

/** Composites have no rule of their own; their gradient comes from the primitives they are built of. */
const composites: Record<string, OpCase> = {
  sub: binary(g.sub),
  square: unary(g.square),
  mean: smooth(() => {
    const x = g.input("x", ["batch", 4]);
    return { y: g.mean(x, [0, -1], true), xs: [x], feeds: { x: uniform(12) }, sizes: { batch: 3 } };
  }),
  min: unary((x) => g.min(x, 1, true)),
  clip: unary(
    (x) => g.clip(x, -0.5, 0.5),
    () => Float64Array.from(awayFromZero(12), (v) => (Math.abs(Math.abs(v) - 0.5) < 0.05 ? v * 1.3 : v)),
  ),
  leakyRelu: unary(
    (x) => g.leakyRelu(x, 0.1),
    () => awayFromZero(12),
  ),
  elu: unary(
    (x) => g.elu(x, 1.5),
    () => awayFromZero(12),
  ),
  gelu: unary(g.gelu, () => uniform(12, -3, 3)),
};

function expectGradMatches(built: Built): void {
  const report = checkGrad(built.y, built.xs, { feeds: built.feeds, sizes: built.sizes });
  for (const entry of report.entries) {
    expect(entry, `∂/∂${entry.name}: worst ${JSON.stringify(entry.worst)}`).toMatchObject({ ok: true });
    expect(entry.checked).toBeGreaterThan(0);
  }
}

/** The second-order check: ⟨∇(r·y), v⟩ is a scalar whose own gradient is a Hessian-vector product. */
function expectSecondOrderMatches(built: Built): void {
  const sizes = built.sizes ?? {};
  const r = g.input("__r", built.y.shape);
  const firsts = grad(g.sum(g.mul(built.y, r)), built.xs);
  const directions = firsts.map((d, i) => g.input(`__v${i}`, d.shape));
  const z = firsts.map((d, i) => g.sum(g.mul(d, directions[i]))).reduce((a, b) => g.add(a, b));
  const feeds: Record<string, Feeds[string]> = { ...built.feeds, __r: uniform(numel(bindShape(built.y.shape, sizes, "y"))) };
  directions.forEach((v, i) => {
    feeds[`__v${i}`] = uniform(numel(bindShape(v.shape, sizes, "v")));
  });
  const report = checkGrad(z, built.xs, { feeds, sizes });
  for (const entry of report.entries) expect(entry, `second order ∂/∂${entry.name}: ${JSON.stringify(entry.worst)}`).toMatchObject({ ok: true });
}

/** Forward mode: jvp along random tangents against the central difference of y along them. */
function expectJvpMatches(built: Built): void {
  const sizes = built.sizes ?? {};
  const tangents = built.xs.map((x) => uniform(numel(bindShape(x.shape, sizes, "x"))));
  const tangentInputs = built.xs.map((x, i) => g.input(`__t${i}`, x.shape));
  const [dy] = jvp([built.y], built.xs, tangentInputs);
  const base: Record<string, Feeds[string]> = { ...built.feeds };
  built.xs.forEach((_x, i) => {
    base[`__t${i}`] = tangents[i];
  });
  const analytic = evaluate(dy, base, sizes);
  const h = 1e-6;
  const moved = (sign: number) => {
    const feeds: Record<string, Feeds[string]> = { ...built.feeds };
    built.xs.forEach((x, i) => {
      const name = (x.params as { name: string }).name;
      const at = x.is("param") ? evaluate(x) : Float64Array.from(built.feeds[name] as ArrayLike<number>);
      feeds[name] = at.map((v, k) => v + sign * h * tangents[i][k]);
    });
    return evaluate(built.y, feeds, sizes);
  };
  const plus = moved(1);
  const minus = moved(-1);
  analytic.forEach((a, k) => {
    const numeric = (plus[k] - minus[k]) / (2 * h);
    expect(Math.abs(a - numeric), `jvp element ${k}: ${a} vs ${numeric}`).toBeLessThan(1e-6 * (1 + Math.abs(numeric)));
  });
}

describe("every op's gradient matches central finite differences", () => {
  for (const kind of opKinds) {
    const c = cases[kind];
    test(`${kind} (${c.kind})`, () => {
      const built = c.build();
      if (c.kind === "blocked") {
        // y = stopGradient(x)·x: only the unblocked factor contributes, so ∂y/∂x = x.
        const [d] = grad(g.sum(built.y), built.xs);
        expect(evaluate(d, built.feeds)).toEqual(Float64Array.from(built.feeds.x as Float64Array));
        return;
      }
      expectGradMatches(built);
      if (c.kind === "zero") {
        // The piecewise-constant operand gets exactly zero, not merely a small number.
        const [first] = grad(g.sum(built.y), [built.xs[0]]);
        expect(Array.from(evaluate(first, built.feeds, built.sizes))).toEqual(new Array(numel(bindShape(first.shape, built.sizes ?? {}, "x"))).fill(0));
      } else {
        expectSecondOrderMatches(built);
        expectJvpMatches(built);
      }
    });
  }
});

describe("composites' and window variants' gradients match central finite differences", () => {
  for (const [name, c] of Object.entries({ ...composites, ...windowVariants })) {
    test(name, () => {
      const built = c.build();
      expectGradMatches(built);
      expectSecondOrderMatches(built);
      expectJvpMatches(built);
    });
  }
});

test("the table covers the registry exactly", () => {
  // `cases` is exhaustive over OpKind by its type; this checks the registry has no other key.
  expect(Object.keys(cases).sort()).toEqual([...opKinds].sort());
});

test("each registry entry is filed under its own kind", () => {
  // A table typo such as `sqrt: rsqrtOp` type-checks whenever the params agree; this catches it.
  for (const kind of opKinds) expect(registry[kind].kind, `registry.${kind}`).toBe(kind);
});
