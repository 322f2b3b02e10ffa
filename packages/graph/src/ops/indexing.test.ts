import { describe, expect, test } from "vitest";
import { evaluate } from "../evaluate.ts";
import { gather, oneHot, scatterAdd } from "./indexing.ts";
import { constant, input } from "./leaves.ts";

const m = constant([
  [1, 2, 3],
  [4, 5, 6],
]); // [2, 3]
const idx = (values: number[], shape = [values.length]) => constant(values, shape, "int32") as never;

describe("gather and scatterAdd", () => {
  test("gather rows (axis 0) and columns (axis 1, also as -1), with repeats", () => {
    expect(Array.from(evaluate(gather(m, idx([1, 1, 0]), 0)))).toEqual([4, 5, 6, 4, 5, 6, 1, 2, 3]);
    const cols = gather(m, idx([2, 0, 2, 1], [2, 2]), -1);
    expect(cols.shape).toEqual([2, 2, 2]);
    expect(Array.from(evaluate(cols))).toEqual([3, 1, 3, 2, 6, 4, 6, 5]);
  });
  test("gather of an embedding table by int32 input", () => {
    const table = constant([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const tokens = input("tokens", ["batch"], "int32");
    const e = gather(table, tokens);
    expect(e.shape).toEqual(["batch", 2]);
    expect(Array.from(evaluate(e, { tokens: Int32Array.of(3, 1) }, { batch: 2 }))).toEqual([3, 3, 1, 1]);
  });
  test("scatterAdd sums updates into their slots, repeated indices adding up", () => {
    const s = scatterAdd(
      constant([
        [1, 2, 3],
        [4, 5, 6],
      ]),
      idx([0, 2, 0]),
      1,
      4,
    );
    expect(s.shape).toEqual([2, 4]);
    expect(Array.from(evaluate(s))).toEqual([4, 0, 2, 0, 10, 0, 5, 0]);
  });
  test("float indices are rejected", () => {
    expect(() => gather(m, constant([0, 1]) as never)).toThrow(/gather: indices must be int32, got float32/);
  });
  test("out-of-range indices are an evaluation error", () => {
    const i = input("i", [1], "int32");
    expect(() => evaluate(gather(m, i, 0), { i: [2] })).toThrow(/gather: index 2 is out of range \[0, 2\)/);
  });
});

test("oneHot puts a 1 at each label, float32 [..., depth]", () => {
  const o = oneHot(idx([2, 0, 1], [3]), 4);
  expect(o.shape).toEqual([3, 4]);
  expect(o.dtype).toBe("float32");
  expect(Array.from(evaluate(o))).toEqual([0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
});
