import { describe, expect, test } from "vitest";
import { evaluate } from "../evaluate.ts";
import { broadcastTo, reshape, transpose } from "./layout.ts";
import { constant, input } from "./leaves.ts";
import { concat, pad, slice } from "./slicing.ts";

const m = constant([
  [1, 2, 3],
  [4, 5, 6],
]); // [2, 3]

describe("reshape", () => {
  test("keeps row-major order; one -1 takes the rest", () => {
    const r = reshape(m, [3, -1]);
    expect(r.shape).toEqual([3, 2]);
    expect(Array.from(evaluate(r))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(reshape(input("x", ["batch", 2, 3]), ["batch", -1]).shape).toEqual(["batch", 6]);
  });
  test("wrong element counts and ambiguous -1 are rejected", () => {
    expect(() => reshape(m, [4, 2])).toThrow(/reshape: cannot reshape \[2, 3\] to \[4, 2\]/);
    expect(() => reshape(m, [-1, -1])).toThrow(/cannot infer -1/);
    expect(() => reshape(m, [4, -1])).toThrow(/cannot infer -1/);
  });
});

describe("transpose and broadcastTo", () => {
  test("transpose reverses axes by default and follows perm otherwise", () => {
    expect(Array.from(evaluate(transpose(m)))).toEqual([1, 4, 2, 5, 3, 6]);
    const t = constant(
      Array.from({ length: 24 }, (_, i) => i),
      [2, 3, 4],
    );
    const p = transpose(t, [1, 2, 0]);
    expect(p.shape).toEqual([3, 4, 2]);
    // p[j][k][i] = t[i][j][k] = 12i + 4j + k
    const got = evaluate(p);
    for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) expect(got[(j * 4 + k) * 2 + i]).toBe(12 * i + 4 * j + k);
    expect(() => transpose(t, [0, 1] as never)).toThrow(/transpose: perm \[0,1\] is not a permutation of 3 axes/);
  });
  test("broadcastTo repeats along new and size-1 axes", () => {
    const b = broadcastTo(constant([[1], [2]]), [2, 2, 3]);
    expect(Array.from(evaluate(b))).toEqual([1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2]);
    expect(() => broadcastTo(m, [3, 3])).toThrow(/broadcastTo: .*do not broadcast/);
    expect(() => broadcastTo(constant([1, 2, 3]), [3, 1])).toThrow(/broadcastTo/);
  });
});

describe("concat, slice and pad", () => {
  test("concat along either axis, with a negative axis", () => {
    expect(Array.from(evaluate(concat([m, constant([[7, 8, 9]])], 0)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const c = concat([m, constant([[10], [20]])], -1);
    expect(c.shape).toEqual([2, 4]);
    expect(Array.from(evaluate(c))).toEqual([1, 2, 3, 10, 4, 5, 6, 20]);
    expect(() => concat([m, constant([1, 2, 3])], 0)).toThrow(/concat: operands differ in rank/);
    expect(() => concat([m, constant([[1, 2]])], 0)).toThrow(/concat: operands must agree on every dim but axis 0/);
  });
  test("slice takes a block; -1 runs to the end", () => {
    const s = slice(m, [0, 1], [2, -1]);
    expect(s.shape).toEqual([2, 2]);
    expect(Array.from(evaluate(s))).toEqual([2, 3, 5, 6]);
    expect(Array.from(evaluate(slice(m, [1, 0], [1, 2])))).toEqual([4, 5]);
    expect(() => slice(m, [0, 2], [2, 2])).toThrow(/slice: axis 1: \[2, 2\+2\) is outside \[0, 3\)/);
    expect(() => slice(m, [0], [1])).toThrow(/one entry per axis/);
  });
  test("pad surrounds with zeros", () => {
    const p = pad(m, [1, 0], [0, 2]);
    expect(p.shape).toEqual([3, 5]);
    expect(Array.from(evaluate(p))).toEqual([0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0]);
  });
});
