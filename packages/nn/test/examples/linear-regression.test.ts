/**
 * Noisy linear regression y = X·w + b + ε: gradient descent on the mean squared
 * error of a dense layer must reach the least-squares solution (computed here in
 * closed form from the normal equations), which in turn recovers w and b to within
 * the noise.
 */
import { evaluate, input } from "@gradfold/graph";
import { expect, test } from "vitest";
import { createRng } from "../../src/init/prng.ts";
import { dense } from "../../src/layers/dense.ts";
import { squaredError } from "../../src/losses/regression.ts";
import { trainSgd } from "../train.ts";

/** Solves A·z = r by Gaussian elimination with partial pivoting. */
function solve(A: number[][], r: number[]): number[] {
  const n = r.length;
  const M = A.map((row, i) => [...row, r[i]]);
  for (let c = 0; c < n; c++) {
    const p = M.reduce((best, row, i) => (i >= c && Math.abs(row[c]) > Math.abs(M[best][c]) ? i : best), c);
    [M[c], M[p]] = [M[p], M[c]];
    for (let i = c + 1; i < n; i++) {
      const f = M[i][c] / M[c][c];
      for (let j = c; j <= n; j++) M[i][j] -= f * M[c][j];
    }
  }
  const z = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) z[i] = (M[i][n] - M[i].slice(i + 1, n).reduce((a, v, k) => a + v * z[i + 1 + k], 0)) / M[i][i];
  return z;
}

test("gradient descent on MSE recovers the coefficients of a noisy linear model", () => {
  const n = 200;
  const trueW = [2, -3, 0.5];
  const trueB = 1;
  const rng = createRng(42);
  const X = Float64Array.from({ length: n * 3 }, () => 2 * rng.uniform() - 1);
  const Y = Float64Array.from({ length: n }, (_, i) => trueW.reduce((a, w, j) => a + w * X[i * 3 + j], trueB) + 0.1 * rng.normal());

  // Closed-form least squares on [X, 1].
  const rows = Array.from({ length: n }, (_, i) => [X[i * 3], X[i * 3 + 1], X[i * 3 + 2], 1]);
  const XtX = [0, 1, 2, 3].map((a) => [0, 1, 2, 3].map((b) => rows.reduce((s, r) => s + r[a] * r[b], 0)));
  const XtY = [0, 1, 2, 3].map((a) => rows.reduce((s, r, i) => s + r[a] * Y[i], 0));
  const ols = solve(XtX, XtY);

  const x = input("x", ["batch", 3]);
  const y = input("y", ["batch", 1]);
  const layer = dense(x, 1, { name: "linear" });
  const loss = squaredError(layer.output, y);
  const run = trainSgd({ loss, params: layer.params, feeds: { x: X, y: Y }, sizes: { batch: n }, lr: 0.5, steps: 300 });

  const learned = [...run.values["linear/W"], run.values["linear/b"][0]];
  learned.forEach((v, i) => {
    expect(Math.abs(v - ols[i])).toBeLessThan(1e-4);
  });
  [...trueW, trueB].forEach((v, i) => {
    expect(Math.abs(ols[i] - v)).toBeLessThan(0.05);
  });
  // The residual error is the noise: MSE ≈ σ² = 0.01.
  const mse = evaluate(loss, { x: X, y: Y, ...run.values }, { batch: n })[0];
  expect(mse).toBeGreaterThan(0.006);
  expect(mse).toBeLessThan(0.014);
});
