/**
 * Scalar helpers that have no one-expression form in JS. Emitted once per step, and
 * only when a kernel uses them.
 */
export const helperSource = {
  sigmoid: `// Logistic function without overflow for large |x|.
function sigmoid(x) {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}`,
  softplus: `// log(1 + e^x) = max(x, 0) + log1p(e^-|x|), without overflow.
function softplus(x) {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}`,
  erf: `// erf: Maclaurin series near 0, else erfc by its continued fraction (float64-accurate).
function erf(x) {
  // NaN, and ±0 with its sign (the series below would turn −0 into +0).
  if (x !== x || x === 0) return x;
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const x2 = x * x;
    let term = x, sum = x;
    for (let n = 1; n < 30; n++) {
      term *= -x2 / n;
      const next = term / (2 * n + 1);
      sum += next;
      if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
    }
    return 1.1283791670955126 * sum;
  }
  if (ax > 6) return x > 0 ? 1 : -1;
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / 1.7724538509055159 / (ax + f);
  return x > 0 ? 1 - erfc : erfc - 1;
}`,
} as const;

export type HelperName = keyof typeof helperSource;
