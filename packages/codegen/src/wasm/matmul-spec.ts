import { activationMeaning, type Activation } from "./activation.ts";

/**
 * What one generated matmul kernel computes, with every size a constant.
 *
 *   C = act(op(A)·op(B) [+ C if accumulate] [+ bias])
 *
 * All matrices are row-major f32 in the caller's linear memory, addressed by byte
 * offsets passed at call time; leading dimensions count elements.
 *
 * | variant | op(A) (M×K)            | op(B) (K×N)            | backward use      |
 * |---------|------------------------|------------------------|-------------------|
 * | `nn`    | A is M×K, A[i·lda + k] | B is K×N, B[k·ldb + j] | forward x·W       |
 * | `tn`    | A is K×M, A[k·lda + i] | B is K×N, B[k·ldb + j] | dW = xᵀ·dy        |
 * | `nt`    | A is M×K, A[i·lda + k] | B is N×K, B[j·ldb + k] | dx = dy·Wᵀ        |
 */
export type MatmulVariant = "nn" | "tn" | "nt";

/** Applied to each output element after the bias. */
export type MatmulActivation = Activation;

export interface MatmulSpec {
  /** Export name of the kernel; must be unique within one build. */
  readonly name: string;
  readonly variant: MatmulVariant;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** Leading dimension (row stride in elements) of A as stored; default: contiguous. */
  readonly lda?: number;
  readonly ldb?: number;
  readonly ldc?: number;
  /** Add a row vector of N floats (at the call's `biasOffset`) to every row of C. */
  readonly bias?: boolean;
  readonly activation?: MatmulActivation;
  /** C += op(A)·op(B) (then bias and activation) instead of C = …. */
  readonly accumulate?: boolean;
  /**
   * false: never pack panels of B, even in a build that packs (the conv kernels'
   * matmuls: their im2col matrix lives where the packing scratch starts). Default true.
   */
  readonly pack?: boolean;
}

/** A spec with every default filled in and checked. */
export interface ResolvedMatmul {
  readonly name: string;
  readonly variant: MatmulVariant;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly lda: number;
  readonly ldb: number;
  readonly ldc: number;
  readonly bias: boolean;
  readonly activation: MatmulActivation;
  readonly accumulate: boolean;
  readonly pack: boolean;
}

/** Elements of op(A)'s stored matrix: rows × leading dimension, as the variant lays it out. */
export function storedShapes(s: ResolvedMatmul): { a: [number, number]; b: [number, number] } {
  return {
    a: s.variant === "tn" ? [s.k, s.lda] : [s.m, s.lda],
    b: s.variant === "nt" ? [s.n, s.ldb] : [s.k, s.ldb],
  };
}

function positiveInt(value: number, what: string, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`matmul kernel ${JSON.stringify(name)}: ${what} must be a positive integer, got ${value}`);
  }
  return value;
}

export function resolveMatmul(spec: MatmulSpec): ResolvedMatmul {
  const { name, variant } = spec;
  if (variant !== "nn" && variant !== "tn" && variant !== "nt") {
    throw new RangeError(`matmul kernel ${JSON.stringify(name)}: variant must be "nn", "tn" or "nt", got ${JSON.stringify(variant)}`);
  }
  const m = positiveInt(spec.m, "m", name);
  const k = positiveInt(spec.k, "k", name);
  const n = positiveInt(spec.n, "n", name);
  // The contiguous row length of each stored operand is its minimum leading dimension.
  const minLda = variant === "tn" ? m : k;
  const minLdb = variant === "nt" ? k : n;
  const lda = positiveInt(spec.lda ?? minLda, "lda", name);
  const ldb = positiveInt(spec.ldb ?? minLdb, "ldb", name);
  const ldc = positiveInt(spec.ldc ?? n, "ldc", name);
  if (lda < minLda || ldb < minLdb || ldc < n) {
    throw new RangeError(
      `matmul kernel ${JSON.stringify(name)} (${variant}, m=${m} k=${k} n=${n}): leading dimensions must be at least ` +
        `lda ≥ ${minLda}, ldb ≥ ${minLdb}, ldc ≥ ${n}; got lda=${lda} ldb=${ldb} ldc=${ldc}`,
    );
  }
  const activation = spec.activation ?? "none";
  if (!Object.hasOwn(activationMeaning, activation)) {
    throw new RangeError(`matmul kernel ${JSON.stringify(name)}: activation must be one of ${Object.keys(activationMeaning).join(", ")}; got ${JSON.stringify(activation)}`);
  }
  return { name, variant, m, k, n, lda, ldb, ldc, bias: spec.bias ?? false, activation, accumulate: spec.accumulate ?? false, pack: spec.pack ?? true };
}
