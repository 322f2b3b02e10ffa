import { expect, test } from "vitest";
import { uniform } from "../test/random.ts";
import { checkGrad } from "./check-grad.ts";
import { concat, defineCustomOp, input, mul, param } from "./index.ts";

test("a wrong derivative rule is caught, with the worst element reported", () => {
  // x³ whose rule claims 3x² + 0.01: off by 1% of a typical value.
  const cube = defineCustomOp({
    name: "badCube",
    arity: 1,
    shape: ([x]) => x,
    scalar: (x) => x * x * x,
    vjp: ({ inputs: [x], grad: dy }) => [mul(dy, mul(mul(x, x), 3).add(0.01))],
  });
  const x = input("x", [4]);
  const report = checkGrad(cube(x).sum(), [x], { feeds: { x: [0.5, -1, 2, 1.5] } });
  expect(report.ok).toBe(false);
  const [entry] = report.entries;
  // y is projected on a random r, so the error is 0.01·|r| with |r| < 1.
  const { analytic, numeric } = entry.worst!;
  expect(Math.abs(analytic - numeric)).toBeGreaterThan(1e-3);
  expect(Math.abs(analytic - numeric)).toBeLessThan(0.0100001);
  expect(entry.maxAbsError).toBeCloseTo(Math.abs(analytic - numeric), 8);
});

test("a correct rule passes, for inputs and params alike, checking every element", () => {
  const x = input("x", [3]);
  const w = param("w", [3], { init: [0.3, -0.2, 0.9] });
  const report = checkGrad(x.mul(w).tanh().sum(), [x, w], { feeds: { x: [1, 2, -1] } });
  expect(report.ok).toBe(true);
  expect(report.entries.map((e) => [e.name, e.checked])).toEqual([
    ["x", 3],
    ["w", 3],
  ]);
  for (const e of report.entries) expect(e.maxRelError).toBeLessThan(1e-8);
});

test("huge outputs that x does not reach add no noise to the check of a small derivative", () => {
  const x = input("x", [3]);
  const big = input("big", [3]);
  const y = concat([big.mul(1e12), x.mul(1e-3)]);
  const report = checkGrad(y, [x], { feeds: { x: uniform(3), big: [1, 2, 3] }, rtol: 1e-6, atol: 1e-12 });
  expect(report.ok).toBe(true);
  expect(report.entries[0].maxRelError).toBeLessThan(1e-6);
});

test("checkGrad needs leaves to perturb", () => {
  const x = input("x", [2]);
  expect(() => checkGrad(x.exp().sum(), [x.exp()], { feeds: { x: [1, 2] } })).toThrow(/each x must be an input or a param, got exp/);
});
