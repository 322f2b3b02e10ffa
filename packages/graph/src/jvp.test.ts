import { expect, test } from "vitest";
import { evaluate } from "./evaluate.ts";
import { grad } from "./grad.ts";
import { jvp } from "./jvp.ts";
import { constant, input, param } from "./ops/leaves.ts";
import type { Tensor } from "./tensor.ts";

test("jvp of an elementwise map is f'(x)·t, with ys' static types", () => {
  const x = input("x", [3]);
  const t = input("t", [3]);
  const other = param("unrelated", [2], { init: [1, 2] });
  const [dy, dOther]: [Tensor<[3], "float32">, Tensor<[2], "float32">] = jvp([x.exp().mul(x), other.mul(2)], [x], [t]);
  const xv = [0.5, -1, 2];
  const tv = [1, 2, -0.5];
  const got = evaluate(dy, { x: xv, t: tv });
  // d(x·eˣ) = (1 + x)·eˣ·dx
  xv.forEach((v, i) => {
    expect(got[i]).toBeCloseTo((1 + v) * Math.exp(v) * tv[i], 12);
  });
  // A y that does not depend on x moves by zero.
  expect(Array.from(evaluate(dOther, { x: xv, t: tv }))).toEqual([0, 0]);
});

test("jvp of a matrix product is linear in the tangents of both factors", () => {
  const a = input("a", [2, 2]);
  const b = input("b", [2, 2]);
  const [d] = jvp(
    [a.matmul(b)],
    [a, b],
    [
      constant(
        [
          [1, 0],
          [0, 0],
        ],
        [2, 2],
      ),
      constant(
        [
          [0, 0],
          [0, 1],
        ],
        [2, 2],
      ),
    ],
  );
  // dA·B + A·dB with dA = e00, dB = e11
  expect(Array.from(evaluate(d, { a: [1, 2, 3, 4], b: [5, 6, 7, 8] }))).toEqual([5, 6 + 2, 0, 4]);
});

test("jvp checks its arguments", () => {
  const x = input("x", [3]);
  expect(() => jvp([x.exp()], [x], [input("t", [2])])).toThrow(/jvp: tangent 0 has shape \[2\], x has \[3\]/);
  expect(() => jvp([x.exp()], [x], [])).toThrow(/jvp: 1 xs but 0 tangents/);
  expect(() => jvp([x.exp()], [], [])).toThrow(/at least one x/);
});

test("single-tensor forms: jvp(y, x, data) and grad(y, x)", () => {
  const x = input("x", [2]);
  const y = x.mul(x).sum();
  const dy: Tensor<[], "float32"> = jvp(y, x, [1, 0.5]);
  // d Σx² = 2x·t
  expect(Array.from(evaluate(dy, { x: [3, -2] }))).toEqual([2 * 3 * 1 + 2 * -2 * 0.5]);
  const gx: Tensor<[2], "float32"> = grad(y, x);
  expect(Array.from(evaluate(gx, { x: [3, -2] }))).toEqual([6, -4]);
  expect(() => jvp(y, x, [1, 2, 3])).toThrow(/tangent 0 must be a tensor or 2 values/);
});
