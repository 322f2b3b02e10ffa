import { describe, expect, test } from "vitest";
import { uniform } from "../../test/random.ts";
import { checkGrad } from "../check-grad.ts";
import { evaluate } from "../evaluate.ts";
import { constant, input } from "./leaves.ts";
import { matmul, matmulT } from "./matmul.ts";

/** Textbook triple loop on nested arrays: the independent reference. */
function naive(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, t) => s + v * b[t][j], 0)));
}
const nest = (flat: ArrayLike<number>, rows: number, cols: number) => Array.from({ length: rows }, (_, i) => Array.from(flat).slice(i * cols, (i + 1) * cols));
const transposed = (m: number[][]) => m[0].map((_, j) => m.map((row) => row[j]));

describe("matmul", () => {
  test("2-D by hand", () => {
    const c = matmul(
      constant([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      constant([
        [1, 0, 2],
        [0, 1, 3],
      ]),
    );
    expect(c.shape).toEqual([3, 3]);
    expect(Array.from(evaluate(c))).toEqual([1, 2, 8, 3, 4, 18, 5, 6, 28]);
  });
  test("transA and transB read the operands transposed", () => {
    const a = uniform(12);
    const b = uniform(20);
    const A = nest(a, 3, 4); // [3, 4]
    const B = nest(b, 5, 4); // [5, 4]
    const at = input("a", [4, 3]);
    const bt = input("b", [5, 4]);
    const aT = Float64Array.from(transposed(A).flat()); // A stored as [4, 3]
    const expected = naive(A, transposed(B)).flat();
    const c = matmulT(at, bt, true, true);
    expect(c.shape).toEqual([3, 5]);
    const got = evaluate(c, { a: aT, b });
    expected.forEach((v, i) => {
      expect(got[i]).toBeCloseTo(v, 12);
    });
    const c2 = matmulT(input("a2", [3, 4]), bt, false, true);
    const got2 = evaluate(c2, { a2: a, b });
    expected.forEach((v, i) => {
      expect(got2[i]).toBeCloseTo(v, 12);
    });
  });
  test("batched, with the batch dims broadcast", () => {
    const a = uniform(2 * 3 * 4);
    const b = uniform(4 * 2);
    const c = matmul(input("a", [2, 1, 3, 4]), input("b", [3, 4, 2]));
    expect(c.shape).toEqual([2, 3, 3, 2]);
    const got = evaluate(c, { a, b: Float64Array.from({ length: 24 }, (_, i) => b[i % 8] * (1 + Math.floor(i / 8))) });
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        const A = nest(a.subarray(i * 12, i * 12 + 12), 3, 4);
        const B = nest(
          Float64Array.from(b, (v) => v * (1 + j)),
          4,
          2,
        );
        naive(A, B)
          .flat()
          .forEach((v, k) => {
            expect(got[(i * 3 + j) * 6 + k]).toBeCloseTo(v, 12);
          });
      }
    }
  });
  test("symbolic batch rows flow through", () => {
    const y = matmul(input("x", ["batch", 3]), constant([[1], [1], [1]]));
    expect(y.shape).toEqual(["batch", 1]);
    expect(Array.from(evaluate(y, { x: [1, 2, 3, 4, 5, 6] }, { batch: 2 }))).toEqual([6, 15]);
  });
  test("inner-dim and batch mismatches are rejected with both shapes", () => {
    expect(() => matmul(input("p", [2, 3]), input("q", [4, 5]) as never)).toThrow(/matmul: inner dims differ: 3 vs 4; operands float32\[2, 3\], float32\[4, 5\]/);
    expect(() => matmul(input("p", [2, 2, 3]), input("q", [3, 3, 5]) as never)).toThrow(/matmul: batch dims 2 and 3/);
    expect(() => matmul(input("v", [3]), input("q", [3, 5]) as never)).toThrow(/rank >= 2/);
  });
});

test("matmul's vjp is right for every combination of transpose flags, batched", () => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      const a = input("a", transA ? [2, 4, 3] : [2, 3, 4]);
      const b = input("b", transB ? [5, 4] : [4, 5]);
      const y = matmulT(a, b, transA, transB);
      expect(y.shape).toEqual([2, 3, 5]);
      const report = checkGrad(y, [a, b], { feeds: { a: uniform(24), b: uniform(20) } });
      expect(report.ok, `transA=${transA} transB=${transB}: ${JSON.stringify(report.entries)}`).toBe(true);
    }
  }
});
