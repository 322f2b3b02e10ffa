import {
  avgPool2d,
  concat,
  conv2d,
  conv2dFilterGrad,
  conv2dTranspose,
  maxPool2d,
  constant,
  defineCustomOp,
  input,
  pad,
  param,
  scatterAdd,
  size,
  slice,
  softmaxCrossEntropy,
  where,
  type AnyTensor,
  type OpKind,
} from "@gradfold/graph";
import { apply, registry } from "@gradfold/graph/internal";
import { rng } from "./mlp.ts";

/**
 * One small graph per op kind, with odd shapes and broadcasting on purpose, and its
 * feeds. `values` fills each float feed: uniform in [lo, hi) by default (the tests of
 * ordinary values), or anything else (the NaN/±Inf/−0 rows). Int feeds stay in range.
 */
export type Values = (random: () => number, lo: number, hi: number, index: number) => number;

export const uniform: Values = (random, lo, hi) => lo + (hi - lo) * random();

export type Feeds = Record<string, Float32Array | Int32Array>;
export interface Case {
  readonly out: AnyTensor;
  readonly feeds: Feeds;
  readonly sizes?: Record<string, number>;
}

/** Random operands with names, shapes (odd on purpose) and value ranges. */
export function maker(seed: number, values: Values = uniform) {
  const random = rng(seed);
  const feeds: Feeds = {};
  let n = 0;
  const f = (shape: number[], lo = -2, hi = 2): AnyTensor => {
    const name = `f${n++}`;
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = values(random, lo, hi, i);
    feeds[name] = data;
    return input(name, shape);
  };
  const ints = (shape: number[], below: number): AnyTensor => {
    const name = `i${n++}`;
    const data = new Int32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * below);
    feeds[name] = data;
    return input(name, shape, "int32");
  };
  return { f, ints, feeds };
}

/** One graph per op kind: the mapped type means a new op needs a case here. */
export const opCases: { readonly [K in OpKind]: (seed: number, values?: Values) => Case } = {
  input: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.f([3, 5]), feeds: m.feeds };
  },
  param: () => ({ out: param("p", [2, 3], { init: [1, 2, 3, 4, 5, 6] }), feeds: {} }),
  constant: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.f([2, 3]).add(constantOf([2, 3])), feeds: m.feeds };
  },
  size: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.f([3]).mul(size(["batch", 3])), feeds: m.feeds, sizes: { batch: 7 } };
  },
  neg: unary((x) => x.neg()),
  exp: unary((x) => x.exp()),
  log: unary((x) => x.log(), 0.1, 3),
  log1p: unary((x) => x.log1p(), -0.5, 3),
  expm1: unary((x) => x.expm1()),
  sqrt: unary((x) => x.sqrt(), 0.1, 3),
  rsqrt: unary((x) => x.rsqrt(), 0.1, 3),
  reciprocal: unary((x) => x.reciprocal(), 0.5, 3),
  abs: unary((x) => x.abs()),
  sign: unary((x) => x.sign()),
  sigmoid: unary((x) => x.mul(8).sigmoid()),
  tanh: unary((x) => x.tanh()),
  relu: unary((x) => x.relu()),
  softplus: unary((x) => x.mul(20).softplus()),
  erf: unary((x) => x.erf()),
  add: binary((a, b) => a.add(b)),
  mul: binary((a, b) => a.mul(b)),
  div: binary((a, b) => a.div(b), 0.5, 2),
  pow: binary((a, b) => a.pow(b), 0.5, 2),
  maximum: binary((a, b) => a.maximum(b)),
  minimum: binary((a, b) => a.minimum(b)),
  less: comparison((a, b) => a.less(b)),
  lessEqual: comparison((a, b) => a.lessEqual(b)),
  greater: comparison((a, b) => a.greater(b)),
  greaterEqual: comparison((a, b) => a.greaterEqual(b)),
  equal: comparison((a, b) => a.equal(b.mul(0).add(a.max(0, true)))),
  notEqual: comparison((a, b) => a.notEqual(b.mul(0).add(a.max(0, true)))),
  where: (s, v = uniform) => {
    const m = maker(s, v);
    const a = m.f([5, 7]);
    return { out: where(a.greater(0), a, m.f([7])), feeds: m.feeds };
  },
  cast: (s, v = uniform) => {
    const m = maker(s, v);
    const a = m.f([3, 7], -5, 5);
    return { out: a.cast("int32").cast("float32").add(a.greater(1).cast("float32")), feeds: m.feeds };
  },
  stopGradient: unary((x) => x.stopGradient().mul(2)),
  sum: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.f([3, 5, 7]).sum([0, 2]), feeds: m.feeds };
  },
  max: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.f([5, 3, 7]).max(1, true), feeds: m.feeds };
  },
  logsumexp: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.f([5, 9], -30, 30).logsumexp(1), feeds: m.feeds };
  },
  softmax: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.f([3, 5, 7], -20, 20).softmax(1), feeds: m.feeds };
  },
  logSoftmax: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.f([5, 11], -20, 20).logSoftmax(-1), feeds: m.feeds };
  },
  softmaxCrossEntropy: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: softmaxCrossEntropy(m.f([9, 7], -10, 10), m.ints([9], 7)), feeds: m.feeds };
  },
  matmul: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.f([13, 11]).matmul(m.f([11, 9])), feeds: m.feeds };
  },
  reshape: (s, v = uniform) => {
    const m = maker(s, v);
    return {
      out: m
        .f([3, 10])
        .exp()
        .reshape([5, 6])
        .mul(m.f([6])),
      feeds: m.feeds,
    };
  },
  transpose: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.f([3, 4, 5]).transpose([2, 0, 1]), feeds: m.feeds };
  },
  broadcastTo: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.f([3, 1, 5]).broadcastTo([2, 3, 4, 5]), feeds: m.feeds };
  },
  concat: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: concat([m.f([3, 2, 5]), m.f([3, 4, 5]), m.f([3, 1, 5])], 1), feeds: m.feeds };
  },
  slice: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: slice(m.f([6, 7, 5]), [1, 2, 0], [3, 4, 5]), feeds: m.feeds };
  },
  pad: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: pad(m.f([3, 4]), [1, 0], [2, 3]), feeds: m.feeds };
  },
  gather: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.f([4, 7, 3]).gather(m.ints([5], 7), 1), feeds: m.feeds };
  },
  scatterAdd: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: scatterAdd(m.f([3, 9, 2]), m.ints([9], 4), 1, 4), feeds: m.feeds };
  },
  oneHot: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: m.ints([3, 5], 7).oneHot(7), feeds: m.feeds };
  },
  // Odd sizes, stride 2×1, asymmetric padding, dilation 1×2, two groups.
  conv2d: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: conv2d(m.f([2, 7, 6, 4]), m.f([3, 2, 2, 6]), { strides: [2, 1], padding: [1, 0, 2, 1], dilations: [1, 2], groups: 2 }), feeds: m.feeds };
  },
  conv2dTranspose: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: conv2dTranspose(m.f([2, 3, 3, 3]), m.f([2, 3, 2, 3]), { inputSize: [5, 7], strides: 2, padding: [1, 0, 0, 1] }), feeds: m.feeds };
  },
  // Depthwise, "same".
  conv2dFilterGrad: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: conv2dFilterGrad(m.f([2, 5, 5, 3]), m.f([2, 5, 5, 6]), { kernelSize: [3, 3], groups: 3, padding: "same" }), feeds: m.feeds };
  },
  maxPool2d: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: maxPool2d(m.f([2, 7, 6, 3]), 3, { strides: 2, padding: 1 }), feeds: m.feeds };
  },
  maxPool2dGrad: (s, v = uniform) => {
    const m = maker(s, v);
    const x = m.f([2, 7, 6, 3]);
    const params = maxPool2d(x, [2, 3], { strides: [2, 1], dilations: [2, 1], padding: "same" }).params;
    return { out: apply(registry.maxPool2dGrad, [x, m.f([2, 4, 6, 3])], params as never), feeds: m.feeds };
  },
  avgPool2d: (s, v = uniform) => {
    const m = maker(s, v);
    return { out: avgPool2d(m.f([2, 7, 6, 3]), 3, { strides: 2, padding: 1 }), feeds: m.feeds };
  },
  avgPool2dGrad: (s, v = uniform) => {
    const m = maker(s, v);
    const params = avgPool2d(input("shape", [2, 7, 6, 3]), [3, 2], { strides: [1, 2], padding: "same" }).params;
    return { out: apply(registry.avgPool2dGrad, [m.f([2, 7, 3, 3])], { ...params, inputSize: [7, 6] } as never), feeds: m.feeds };
  },
  custom: (s, v = uniform) => {
    const m = maker(s, v);
    // One op with a compute fast path, one through the float64 reference.
    return { out: swish(m.f([5, 7])).add(rowNorm(m.f([5, 7])).reshape([5, 1])), feeds: m.feeds };
  },
};

const swish = defineCustomOp({
  name: "swish",
  arity: 1,
  shape: ([x]) => x,
  scalar: (x) => x / (1 + Math.exp(-x)),
  vjp: ({ grad }) => [grad],
  compute: ([x], out) => {
    for (let i = 0; i < out.length; i++) out[i] = x[i] / (1 + Math.exp(-x[i]));
  },
});
const rowNorm = defineCustomOp({
  name: 'row"Norm\u2028',
  arity: 1,
  shape: ([x]) => [x[0]],
  evaluate: ([x]) => {
    const [r, c] = x.shape;
    const out = new Float64Array(r);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i] += x.data[i * c + j] ** 2;
    return out.map(Math.sqrt);
  },
  vjp: ({ grad }) => [grad],
});

function constantOf(shape: number[]): AnyTensor {
  const data = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i * 0.25 - 1);
  return constant(data, shape);
}

function unary(f: (x: AnyTensor) => AnyTensor, lo = -2, hi = 2) {
  return (s: number, v: Values = uniform): Case => {
    const m = maker(s, v);
    return { out: f(m.f([7, 13], lo, hi)), feeds: m.feeds };
  };
}
function binary(f: (a: AnyTensor, b: AnyTensor) => AnyTensor, lo = -2, hi = 2) {
  return (s: number, v: Values = uniform): Case => {
    const m = maker(s, v);
    // Broadcasting on purpose: [5, 1, 7] against [3, 7].
    return { out: f(m.f([5, 1, 7], lo, hi), m.f([3, 7], lo, hi)), feeds: m.feeds };
  };
}
function comparison(f: (a: AnyTensor, b: AnyTensor) => AnyTensor) {
  return (s: number, v: Values = uniform): Case => {
    const m = maker(s, v);
    return { out: f(m.f([5, 7]), m.f([7])), feeds: m.feeds };
  };
}
