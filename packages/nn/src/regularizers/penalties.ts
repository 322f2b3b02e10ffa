import { abs, add, GraphError, mul, scalar, square, sum, type FloatTensor, type Scalar } from "@gradfold/graph";

/** One regularization term of a cost: λ times a penalty of some params. */
export interface Penalty {
  readonly kind: "l2" | "l1" | "elasticNet";
  readonly lambda: number;
  /** The unscaled penalty Ω(θ), a scalar. */
  readonly value: Scalar;
  /** The params it penalises (typically the weights, not the biases). */
  readonly params: readonly FloatTensor[];
}

function checkParams(what: string, params: readonly FloatTensor[]): void {
  if (!Array.isArray(params) || params.length === 0) throw new GraphError(`${what}: expected a non-empty array of params`);
  params.forEach((p, i) => {
    if (p.dtype !== "float32") throw new GraphError(`${what}: params[${i}] must be float32, got ${p.dtype}`);
  });
}

const total = (terms: FloatTensor[]): Scalar => terms.map((t) => sum(t) as Scalar).reduce((a, b) => add(a, b) as Scalar);

/** Ω = Σ ‖w‖² (no ½): its gradient is 2w, so λ·Ω adds 2λw to each gradient (weight decay of rate 2λ·lr). */
export function l2Penalty(params: readonly FloatTensor[]): Scalar {
  checkParams("l2Penalty", params);
  return total(params.map((p) => square(p)));
}

/** Ω = Σ |w|: drives small weights to exactly zero (sparsity); gradient sign(w). */
export function l1Penalty(params: readonly FloatTensor[]): Scalar {
  checkParams("l1Penalty", params);
  return total(params.map((p) => abs(p)));
}

/** Ω = ρ·Σ|w| + (1 − ρ)·Σ w² (Zou & Hastie 2005), ρ = `l1Ratio` ∈ [0, 1]. */
export function elasticNetPenalty(params: readonly FloatTensor[], l1Ratio = 0.5): Scalar {
  if (!(l1Ratio >= 0 && l1Ratio <= 1)) throw new GraphError(`elasticNetPenalty: l1Ratio must be in [0, 1], got ${l1Ratio}`);
  return add(mul(l1Penalty(params), l1Ratio), mul(l2Penalty(params), 1 - l1Ratio)) as Scalar;
}

function checkLambda(what: string, lambda: number): void {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new GraphError(`${what}: lambda must be a non-negative finite number, got ${lambda}`);
}

/** λ·Σ‖w‖² on `params`, for `cost`. */
export function l2(lambda: number, params: readonly FloatTensor[]): Penalty {
  checkLambda("l2", lambda);
  return { kind: "l2", lambda, value: l2Penalty(params), params };
}

/** λ·Σ|w| on `params`, for `cost`. */
export function l1(lambda: number, params: readonly FloatTensor[]): Penalty {
  checkLambda("l1", lambda);
  return { kind: "l1", lambda, value: l1Penalty(params), params };
}

/** λ·(ρ·Σ|w| + (1 − ρ)·Σw²) on `params`, for `cost`. */
export function elasticNet(lambda: number, params: readonly FloatTensor[], l1Ratio = 0.5): Penalty {
  checkLambda("elasticNet", lambda);
  return { kind: "elasticNet", lambda, value: elasticNetPenalty(params, l1Ratio), params };
}

/**
 * The cost J(θ) = R(θ) + Σ λᵢ·Ωᵢ(θ): the empirical risk (a scalar loss averaged over
 * the batch) plus each regularization term. With no penalties it is the risk itself.
 */
export function cost(risk: Scalar, penalties: Penalty | readonly Penalty[] = []): Scalar {
  if (risk.dtype !== "float32" || risk.shape.length !== 0) {
    throw new GraphError(`cost: risk must be a float32 scalar (reduce the loss with mean or sum), got ${risk.dtype}${JSON.stringify(risk.shape)}`);
  }
  const list = Array.isArray(penalties) ? (penalties as readonly Penalty[]) : [penalties as Penalty];
  return list.reduce<Scalar>((j, p) => (p.lambda === 0 ? j : (add(j, mul(p.value, scalar(p.lambda))) as Scalar)), risk);
}
