import { describe, expect, it } from "vitest";
import { abs, add, array, constant, div, evaluateExpr, exp, log, max, min, mul, neg, relu, scalar, selectGt, sigmoid, sqrt, sub, tanh, type Expr } from "./elementwise-expr.ts";
import { buildSimdKernels } from "./simd-kernels.ts";
import { checkKernel, place, seededRandom } from "./matmul-test-harness.ts";
import { wasm } from "./wasm-api.ts";

const f32round = Math.fround;

/** Adam's moment and parameter updates as one kernel with three outputs (p, m, v in place). */
function adamExprs(): Expr[] {
  const [p, g, m, v] = [array(0), array(1), array(2), array(3)];
  const [beta1, beta2, lrHat, eps] = [scalar(0), scalar(1), scalar(2), scalar(3)];
  const m1 = add(mul(beta1, m), mul(sub(constant(1), beta1), g));
  const v1 = add(mul(beta2, v), mul(mul(sub(constant(1), beta2), g), g));
  return [sub(p, div(mul(lrHat, m1), add(sqrt(v1), eps))), m1, v1];
}

describe("elementwise kernels", () => {
  it("match the float64 meaning on every length mod 4, with shared subexpressions and in-place outputs", () => {
    const lengths = [1, 2, 3, 4, 5, 7, 130, 1001];
    const outputs = adamExprs();
    const built = buildSimdKernels({
      elementwise: lengths.map((length) => ({ name: `adam${length}`, length, arrays: 4, scalars: 4, outputs })),
    });
    const memory = new wasm.Memory({ initial: 2 });
    const f32 = new Float32Array(memory.buffer);
    const { elementwise } = built.instantiate(memory);
    const scalars = [0.9, 0.999, 1e-3, 1e-8];
    for (const length of lengths) {
      const random = seededRandom(length);
      const base = [16, 16 + 1100, 16 + 2200, 16 + 3300]; // element offsets of p, g, m, v
      for (const b of base) for (let i = 0; i < length; i++) f32[b + i] = random();
      for (let i = 0; i < length; i++) f32[base[3] + i] = Math.abs(f32[base[3] + i]);
      const inputs = base.map((b) => Float64Array.from(f32.subarray(b, b + length)));
      const expected = outputs.map((e) => Array.from({ length }, (_, i) => evaluateExpr(e, inputs, scalars.map(f32round), i)));
      // Outputs p, m, v are written over their own inputs.
      elementwise[`adam${length}`](4 * base[0], 4 * base[2], 4 * base[3], ...base.map((b) => 4 * b), ...scalars);
      [base[0], base[2], base[3]].forEach((b, o) => {
        for (let i = 0; i < length; i++) {
          const want = expected[o][i];
          expect(Math.abs(f32[b + i] - want), `length ${length} output ${o} element ${i}`).toBeLessThanOrEqual(1e-5 * (Math.abs(want) + 1));
        }
      });
      expect(f32[base[0] + length], "no write past the end").toBe(f32round(f32[base[0] + length]));
    }
  });

  it("implement every op, relu and selectGt, with NaN propagation as in Math.max", () => {
    const x = array(0), y = array(1);
    const outputs: Expr[] = [neg(x), abs(x), sqrt(abs(x)), add(x, y), sub(x, y), mul(x, y), div(x, y), min(x, y), max(x, y), relu(x), selectGt(x, y, x, constant(-7))];
    const length = 11;
    const built = buildSimdKernels({ elementwise: [{ name: "all", length, arrays: 2, outputs }] });
    const memory = new wasm.Memory({ initial: 1 });
    const f32 = new Float32Array(memory.buffer);
    const xs = [-2, -0.5, 0, 0.25, 3, NaN, -1, 4, 9, -9, 1];
    const ys = [1, -1, 2, 0.25, -3, 1, NaN, 2, 0.5, -9, 3];
    f32.set(xs, 0);
    f32.set(ys, 16);
    const outAt = (o: number) => 64 + o * 16;
    built.instantiate(memory).elementwise.all(...outputs.map((_, o) => 4 * outAt(o)), 0, 4 * 16);
    outputs.forEach((e, o) => {
      for (let i = 0; i < length; i++) {
        const want = f32round(evaluateExpr(e, [Float32Array.from(xs), Float32Array.from(ys)], [], i));
        expect(f32[outAt(o) + i], `${e.op} at ${i}`).toBe(want);
      }
    });
  });

  it("approximate exp, sigmoid and tanh to a few ulp, in the vector body and the scalar tail", () => {
    const xs = [0, 1e-30, -1e-7, 1e-4, 0.3, -0.6249, 0.6251, -0.625, 1, -1, 2.5, -5, 10, -20, 40, -80, 87, 88, -87, Math.LN2, 0.5 * Math.LN2, 17.3, -3.3];
    for (let i = 0; i < 200; i++) xs.push(Math.fround((i - 100) * 0.173));
    const length = xs.length; // not a multiple of 4: the tail runs the scalar forms
    expect(length % 4).not.toBe(0);
    const x = array(0);
    const outputs = [exp(x), sigmoid(x), tanh(x)];
    const built = buildSimdKernels({ elementwise: [{ name: "t", length, arrays: 1, outputs }] });
    const memory = new wasm.Memory({ initial: 1 });
    const f32 = new Float32Array(memory.buffer);
    f32.set(xs, 0);
    const outAt = (o: number) => 1024 + o * 512;
    built.instantiate(memory).elementwise.t(...outputs.map((_, o) => 4 * outAt(o)), 0);
    outputs.forEach((e, o) => {
      for (let i = 0; i < length; i++) {
        const want = evaluateExpr(e, [f32], [], i);
        const got = f32[outAt(o) + i];
        expect(Math.abs(got - want), `${e.op}(${f32[i]}) = ${got}, want ${want}`).toBeLessThanOrEqual(4e-7 * Math.abs(want) + 1e-37);
      }
    });
  });

  it("approximate log to a few ulp, with log(0) = −Inf, log(−1) = NaN, log(Inf) = Inf", () => {
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: 0.7071067 and 0.7071069 straddle √½, where the log kernel switches range
    const xs = [1, 2, 0.5, Math.SQRT1_2, 0.7071067, 0.7071069, 1 + 1e-6, 1 - 1e-6, 1e-30, 3e-38, 1e30, 3.4e38, 0.1, 10, 123.456];
    for (let i = 1; i < 300; i++) xs.push(Math.fround(i * 0.0371 * (i % 3 === 0 ? 100 : 1)));
    const specials = [0, -1, Infinity, NaN, -0];
    const all = [...xs, ...specials];
    expect(all.length % 4).not.toBe(0);
    const built = buildSimdKernels({ elementwise: [{ name: "l", length: all.length, arrays: 1, outputs: [log(array(0))] }] });
    const memory = new wasm.Memory({ initial: 1 });
    const f32 = new Float32Array(memory.buffer);
    f32.set(all, 0);
    const out = 2048;
    built.instantiate(memory).elementwise.l(4 * out, 0);
    for (let i = 0; i < xs.length; i++) {
      const want = Math.log(f32[i]);
      expect(Math.abs(f32[out + i] - want), `log(${f32[i]}) = ${f32[out + i]}, want ${want}`).toBeLessThanOrEqual(4e-7 * Math.abs(want) + 1e-12);
    }
    expect(Array.from(f32.subarray(out + xs.length, out + all.length))).toEqual([-Infinity, NaN, Infinity, NaN, -Infinity]);
  });

  it("keep NaN as NaN and saturate exp outside the float range", () => {
    const built = buildSimdKernels({ elementwise: [{ name: "e", length: 5, arrays: 1, outputs: [exp(array(0)), tanh(array(0))] }] });
    const memory = new wasm.Memory({ initial: 1 });
    const f32 = new Float32Array(memory.buffer);
    f32.set([NaN, -200, 200, NaN, -200], 0);
    built.instantiate(memory).elementwise.e(64, 128, 0);
    expect(Number.isNaN(f32[16]) && Number.isNaN(f32[19])).toBe(true);
    expect(f32[17]).toBeLessThan(1e-37);
    expect(f32[20]).toBeLessThan(1e-37);
    expect(f32[18]).toBeGreaterThan(1e38);
    expect([f32[33], f32[34]]).toEqual([-1, 1]);
    expect(Number.isNaN(f32[32])).toBe(true);
  });

  it("rejects references to missing inputs", () => {
    expect(() => buildSimdKernels({ elementwise: [{ name: "bad", length: 4, arrays: 1, outputs: [array(1)] }] })).toThrow(/"bad": array 1 of 1/);
  });
});

describe("column sums", () => {
  it("sum the rows of a matrix per column (bias gradient), scaled and accumulated, on odd shapes", () => {
    const cases = [
      { name: "s1", rows: 1, cols: 1 },
      { name: "s2", rows: 128, cols: 10 },
      { name: "s3", rows: 7, cols: 37, ld: 41, scale: 0.5 },
      { name: "s4", rows: 33, cols: 256, accumulate: true },
    ];
    const built = buildSimdKernels({ columnSums: cases });
    const memory = new wasm.Memory({ initial: 2 });
    const f32 = new Float32Array(memory.buffer);
    const { columnSums } = built.instantiate(memory);
    const random = seededRandom(3);
    for (const c of cases) {
      const ld = c.ld ?? c.cols;
      const input = 32, out = 32 + c.rows * ld + 8;
      for (let i = 0; i < c.rows * ld; i++) f32[input + i] = random();
      for (let j = 0; j < c.cols + 4; j++) f32[out + j] = random();
      const before = f32.slice(out, out + c.cols + 4);
      columnSums[c.name](4 * out, 4 * input);
      for (let j = 0; j < c.cols; j++) {
        let sum = 0;
        for (let i = 0; i < c.rows; i++) sum += f32[input + i * ld + j];
        const want = sum * (c.scale ?? 1) + (c.accumulate ? before[j] : 0);
        expect(Math.abs(f32[out + j] - want), `${c.name} column ${j}`).toBeLessThan(1e-5 * (c.rows + 1));
      }
      for (let j = c.cols; j < c.cols + 4; j++) expect(f32[out + j]).toBe(before[j]);
    }
  });
});

describe("row reductions", () => {
  it("sum and max each row in a fixed order, scaled, on odd widths", () => {
    const cases = [
      { name: "sum10", rows: 7, cols: 10, op: "sum" as const },
      { name: "max10", rows: 7, cols: 10, op: "max" as const },
      { name: "sum1", rows: 3, cols: 1, op: "sum" as const, scale: 2 },
      { name: "max37", rows: 5, cols: 37, ld: 41, op: "max" as const },
      { name: "sum256", rows: 2, cols: 256, op: "sum" as const, scale: 1 / 256 },
    ];
    const built = buildSimdKernels({ rowReductions: cases });
    const memory = new wasm.Memory({ initial: 1 });
    const f32 = new Float32Array(memory.buffer);
    const { rowReductions } = built.instantiate(memory);
    const random = seededRandom(5);
    for (const c of cases) {
      const ld = c.ld ?? c.cols;
      const input = 16, out = 16 + c.rows * ld + 8;
      for (let i = 0; i < c.rows * ld; i++) f32[input + i] = random() * 10;
      f32[out + c.rows] = 777;
      rowReductions[c.name](4 * out, 4 * input);
      for (let i = 0; i < c.rows; i++) {
        const row = Array.from(f32.subarray(input + i * ld, input + i * ld + c.cols));
        const want = (c.op === "sum" ? row.reduce((x, y) => x + y, 0) : Math.max(...row)) * (c.scale ?? 1);
        if (c.op === "max") expect(f32[out + i]).toBe(Math.fround(want));
        else expect(Math.abs(f32[out + i] - want), `${c.name} row ${i}`).toBeLessThan(1e-5 * c.cols);
      }
      expect(f32[out + c.rows], "no write past the last row").toBe(777);
    }
  });
});

describe("buildSimdKernels", () => {
  it("puts matmuls, elementwise kernels and column sums in one module", () => {
    const built = buildSimdKernels({
      matmuls: [{ name: "mm", variant: "nn", m: 5, k: 6, n: 7, bias: true }],
      elementwise: [{ name: "double", length: 9, arrays: 1, outputs: [add(array(0), array(0))] }],
      columnSums: [{ name: "cs", rows: 3, cols: 5 }],
    });
    const memory = new wasm.Memory({ initial: 1 });
    const kernels = built.instantiate(memory);
    expect(Object.keys(kernels.matmuls)).toEqual(["mm"]);
    expect(Object.keys(kernels.elementwise)).toEqual(["double"]);
    expect(Object.keys(kernels.columnSums)).toEqual(["cs"]);
    const s = { name: "mm", variant: "nn" as const, m: 5, k: 6, n: 7, lda: 6, ldb: 7, ldc: 7, bias: true, activation: "none" as const, accumulate: false };
    expect(checkKernel(s, kernels.matmuls.mm, memory, place(s, 64), 1).maxRelativeError).toBeLessThan(1e-4);
  });
});
