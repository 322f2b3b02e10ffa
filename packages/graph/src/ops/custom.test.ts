import { describe, expect, expectTypeOf, test } from "vitest";
import { checkGrad } from "../check-grad.ts";
import { GraphError } from "../errors.ts";
import { evaluate } from "../evaluate.ts";
import { format } from "../format.ts";
import { grad } from "../grad.ts";
import { registry } from "../registry.ts";
import type { DType } from "../dtype.ts";
import type { AnyTensor } from "../tensor.ts";
import { sigmoidScalar, sigmoid } from "./activations.ts";
import { add, mul, sub } from "./binary.ts";
import { defineCustomOp } from "./custom.ts";
import { reshape } from "./layout.ts";
import { input, param } from "./leaves.ts";
import { sum } from "./reduce.ts";
import { broadcastShapes, type Shape } from "../shape.ts";

// swish(x) = x·σ(x); d swish = (σ + x·σ(1-σ)) dx, written with graph ops.
const swish = defineCustomOp({
  name: "swish",
  arity: 1,
  shape: ([x]) => x,
  scalar: (x) => x * sigmoidScalar(x),
  vjp: ({ inputs: [x], grad: dy }) => {
    const s = sigmoid(x);
    return [mul(dy, add(s, mul(x, mul(s, sub(1, s)))))];
  },
});

// rowNorm(x)[i] = √Σⱼ x[i,j]²: a non-elementwise op with a whole-value reference.
const rowNorm = defineCustomOp({
  name: "rowNorm",
  arity: 1,
  shape: ([x]) => (x.length === 2 ? [x[0]] : `expected a matrix, got rank ${x.length}`),
  evaluate: ([x], [rows]) => {
    const cols = x.shape[1];
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += x.data[i * cols + j] ** 2;
      out[i] = Math.sqrt(s);
    }
    return out;
  },
  // ∂‖xᵢ‖/∂xᵢⱼ = xᵢⱼ / ‖xᵢ‖
  vjp: ({ inputs: [x], out, grad: dy }) => [mul(x, reshape(mul(dy, out.reciprocal()), [x.shape[0], 1]))],
});

const data = [-2.5, -1, -0.3, 0, 0.4, 1.2, 2, 3.5];

describe("defineCustomOp", () => {
  test("an elementwise op evaluates its scalar reference, broadcasting like built-in ops", () => {
    const x = input("x", [2, 4]);
    const got = evaluate(swish(x), { x: data });
    for (const [i, v] of data.entries()) expect(got[i]).toBeCloseTo(v / (1 + Math.exp(-v)), 14);
    const b = input("b", [4]);
    const scaled = defineCustomOp({ name: "scaled", arity: 2, shape: ([p, q]) => broadcastShapes([p, q]), scalar: (p, q) => p * q, vjp: () => [null, null] });
    expect(Array.from(evaluate(scaled(x, b), { x: data, b: [1, 2, 3, 4] }))).toEqual(data.map((v, i) => v * (1 + (i % 4))));
  });

  test("its gradient and second derivative match central finite differences", () => {
    const x = input("x", [2, 4]);
    const y = sum(mul(swish(x), swish(x)));
    expect(checkGrad(y, [x], { feeds: { x: data } }).ok).toBe(true);
    const [dx] = grad(y, [x]);
    const v = input("v", [2, 4]);
    const hv = sum(mul(dx, v));
    const report = checkGrad(hv, [x], { feeds: { x: data, v: data.map((d) => 0.5 - d) } });
    expect(report.entries[0]).toMatchObject({ ok: true });
  });

  test("a whole-value op evaluates its reference and differentiates twice", () => {
    const w = param("w", [3, 2], { init: [3, 4, -1, 0.5, 2, -2] });
    const n = rowNorm(w);
    expect(Array.from(evaluate(n))).toEqual([5, Math.hypot(-1, 0.5), Math.hypot(2, 2)]);
    const y = sum(mul(n, n.sqrt()));
    expect(checkGrad(y, [w]).ok).toBe(true);
    const [dw] = grad(y, [w]);
    const second = checkGrad(sum(mul(dw, dw)), [w]);
    expect(second.entries[0]).toMatchObject({ ok: true });
  });

  test("symbolic dims pass through its shape rule and are bound when evaluated", () => {
    const x = input("x", ["batch", 2]);
    const n = rowNorm(x);
    expect(n.shape).toEqual(["batch"]);
    expect(Array.from(evaluate(n, { x: [3, 4, 6, 8, 0, 0] }, { batch: 3 }))).toEqual([5, 10, 0]);
    const [dx] = grad(sum(mul(n, n)), [x]);
    // d Σ‖xᵢ‖² = 2x
    expect(Array.from(evaluate(dx, { x: [3, 4, 6, 8, 1, 1] }, { batch: 3 }))).toEqual([6, 8, 12, 16, 2, 2].map((v) => expect.closeTo(v, 12)));
  });

  test("a bad shape names the op, the reason and the operands", () => {
    const x = input("x", [2, 3, 4]);
    expect(() => rowNorm(x)).toThrow(GraphError);
    expect(() => rowNorm(x)).toThrow(/custom: op "rowNorm": expected a matrix, got rank 3; operands float32\[2, 3, 4\]/);
    // @ts-expect-error arity 1: a second operand is a type error, and a run-time one
    expect(() => swish(x, x)).toThrow(/custom op "swish": expected 1 operand, got 2/);
    const labels = input("labels", [2], "int32");
    expect(() => swish(labels)).toThrow(/op "swish": expected float32, got int32/);
  });

  test("two ops with the same name never merge; one op on the same input is interned", () => {
    const twin = defineCustomOp({ name: swish.spec.name, arity: 1, shape: swish.spec.shape, scalar: (v) => 2 * v, vjp: swish.spec.vjp });
    const x = input("x", [4]);
    expect(twin.id).not.toBe(swish.id);
    expect(swish(x)).toBe(swish(x));
    expect(twin(x)).not.toBe(swish(x));
    expect(Array.from(evaluate([twin(x), swish(x)], { x: [1, 2, 3, 4] })[0])).toEqual([2, 4, 6, 8]);
  });

  test("a dtype rule sets the result's dtype; without one it is float32, statically too", () => {
    const positive = defineCustomOp({
      name: "positive",
      arity: 1,
      shape: ([s]) => s,
      dtype: ([d]) => (d === "bool" ? "expected a number type, got bool" : "bool"),
      scalar: (v) => (v > 0 ? 1 : 0),
      vjp: () => [null],
    });
    const x = input("x", [4]);
    expect(positive(x).dtype).toBe("bool");
    expect(Array.from(evaluate(positive(x), { x: [-1, 0, 2, 3] }))).toEqual([0, 0, 1, 1]);
    expect(() => positive(positive(x))).toThrow(/op "positive": expected a number type, got bool/);
    expectTypeOf(swish(x).dtype).toEqualTypeOf<"float32">();
    expectTypeOf(positive(x).dtype).toEqualTypeOf<DType>();
  });

  test("format and the registry show it as one kind, named by its params", () => {
    const x = input("x", [4]);
    expect(format(swish(x))).toContain(`custom(%0) {id: ${swish.id}, name: "swish"}`);
    expect(registry.custom.traits).toEqual([]);
  });

  test("a malformed spec or a misbehaving rule is reported with the op's name", () => {
    const base = { name: "bad", arity: 1 as const, shape: ([x]: readonly Shape[]) => x, vjp: () => [null] };
    expect(() => defineCustomOp({ ...base } as never)).toThrow(/defineCustomOp\("bad"\): give exactly one reference/);
    expect(() => defineCustomOp({ ...base, scalar: (v: number) => v, evaluate: () => new Float64Array() } as never)).toThrow(/exactly one reference/);
    expect(() => defineCustomOp({ ...base, arity: 0, scalar: (v: number) => v } as never)).toThrow(/arity must be an integer >= 1/);
    const short = defineCustomOp({ ...base, evaluate: () => new Float64Array(1) });
    expect(() => evaluate(short(input("x", [3])), { x: [1, 2, 3] })).toThrow(/op "bad": evaluate must return a Float64Array of 3 values for \[3\], got 1 values/);
    const wrongGrad = defineCustomOp({ ...base, scalar: (v: number) => v, vjp: ({ grad: dy }: { grad: AnyTensor }) => [sum(dy)] });
    expect(() => grad(sum(wrongGrad(input("x", [3]))), [input("x", [3])])).toThrow(/op "bad": vjp's cotangent 0 has shape \[\], its operand \[3\]/);
  });
});
