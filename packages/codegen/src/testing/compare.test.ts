import { describe, expect, it } from "vitest";
import { expectClose } from "./compare.ts";

const fails = (actual: number[], expected: number[], options = {}) => expect(() => expectClose(actual, expected, "t", options)).toThrow();

describe("expectClose", () => {
  it("accepts float32 rounding of the reference", () => {
    expectClose(Float32Array.of(0.1, 1e-3, 3e7), [0.1, 1e-3, 3e7], "rounded");
  });
  it("catches a 10 % error in a small output (no absolute 1e-4)", () => {
    fails([1.1e-3, 2e-3], [1e-3, 2e-3]);
  });
  it("judges near-zero elements against the output's own scale", () => {
    expectClose([1e-6, 100], [0, 100], "cancellation at scale 100");
    fails([1e-6, 1e-3], [0, 1e-3]);
  });
  it("requires NaN where the reference has NaN, and nowhere else", () => {
    expectClose([Number.NaN, 1], [Number.NaN, 1], "nan");
    fails([0, 1], [Number.NaN, 1]);
    fails([Number.NaN, 1], [0, 1]);
  });
  it("requires the same infinity", () => {
    expectClose([Infinity, -Infinity], [Infinity, -Infinity], "inf");
    fails([3.4e38, 1], [Infinity, 1]);
    fails([-Infinity, 1], [Infinity, 1]);
  });
  it("checks the sign of zero only when asked", () => {
    expectClose([0, 1], [-0, 1], "zeros");
    fails([0, 1], [-0, 1], { signedZeros: true });
    expectClose([-0, 1], [-0, 1], "zeros", { signedZeros: true });
  });
  it("fails on a length mismatch", () => {
    fails([1], [1, 2]);
  });
});

describe("expectClose on float32 outputs", () => {
  it("compares with the reference rounded to float32 (overflow is Infinity, underflow a signed 0)", () => {
    expectClose(Float32Array.of(Infinity, -0), [1e39, -1e-46], "rounded", { signedZeros: true });
    expect(() => expectClose([3.4e38], [1e39], "a plain array is not rounded")).toThrow();
  });
});
