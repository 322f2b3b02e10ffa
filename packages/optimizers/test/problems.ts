import { constant, input, param, type Tensor } from "@gradfold/graph";

/**
 * Least squares with a bias, small enough to differentiate by hand: loss =
 * Σ (xW + b − y)² / n over a batch of n = 4 rows. `gradients` is the analytic
 * gradient written as loops, for the plain-JS references.
 */
export function leastSquares() {
  const xData = [0.5, -1.2, 0.3, 1.1, 0.4, -0.7, -0.6, 0.9, 1.5, 0.2, -0.3, 0.8];
  const yData = [1.0, -0.5, 0.2, 0.7, -1.3, 0.4, 0.9, 1.1];
  const w0 = [0.1, -0.2, 0.3, 0.05, -0.15, 0.25];
  const b0 = [0.01, -0.02];
  const x = input("x", [4, 3]);
  const y = input("y", [4, 2]);
  const W = param("W", [3, 2], { init: w0 });
  const b = param("b", [2], { init: b0 });
  const r = x.matmul(W).add(b).sub(y);
  const loss = r.mul(r).sum().div(4) as Tensor;
  const gradients = ([w, bias]: Float64Array[]): Float64Array[] => {
    const gw = new Float64Array(6);
    const gb = new Float64Array(2);
    for (let n = 0; n < 4; n++) {
      for (let k = 0; k < 2; k++) {
        let pred = bias[k];
        for (let i = 0; i < 3; i++) pred += xData[n * 3 + i] * w[i * 2 + k];
        const res = (2 / 4) * (pred - yData[n * 2 + k]);
        gb[k] += res;
        for (let i = 0; i < 3; i++) gw[i * 2 + k] += xData[n * 3 + i] * res;
      }
    }
    return [gw, gb];
  };
  return { loss, params: [W, b] as const, inputs: { x: xData, y: yData }, initial: [Float64Array.from(w0), Float64Array.from(b0)], gradients };
}

/**
 * A badly conditioned quadratic ½(θ − c)ᵀA(θ − c) with A's eigenvalues 1 and 100
 * along the diagonals (condition number 100, not axis-aligned); minimum at c = (1, 2).
 */
export function illConditionedQuadratic(start: readonly number[] = [-2, 4]) {
  const theta = param("theta", [2], { init: [...start] });
  const A = constant([
    [50.5, 49.5],
    [49.5, 50.5],
  ]);
  const d = theta.sub(constant([1, 2]));
  const loss = d.mul(A.mul(d).sum(1)).sum().mul(0.5) as Tensor;
  return { loss, params: [theta] as const, minimum: [1, 2] };
}

/** Rosenbrock's function (1 − a)² + 100(b − a²)², minimum at (1, 1), from the classic start (−1.2, 1). */
export function rosenbrock(start: readonly number[] = [-1.2, 1]) {
  const theta = param("theta", [2], { init: [...start] });
  const a = theta.slice([0], [1]);
  const b = theta.slice([1], [1]);
  const loss = a.sub(1).square().add(b.sub(a.square()).square().mul(100)).sum() as Tensor;
  return { loss, params: [theta] as const, minimum: [1, 1] };
}
