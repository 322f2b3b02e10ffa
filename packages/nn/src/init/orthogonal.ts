import type { Initializer, SeedOptions } from "./initializers.ts";
import { createRng } from "./prng.ts";

/**
 * Saxe et al. (2014), "Exact solutions to the nonlinear dynamics of learning in
 * deep linear neural networks": a (semi-)orthogonal matrix times `gain`.
 *
 * The shape is viewed as a matrix [rows, cols] with cols the last axis and rows the
 * product of the others. A Gaussian matrix of the taller orientation is made
 * orthonormal column by column with modified Gram–Schmidt, run twice ("twice is
 * enough", Giraud et al. 2005) for columns orthogonal to float64 precision. Gram–Schmidt
 * yields the QR factor with a positive diagonal in R, which makes Q uniformly (Haar)
 * distributed, the same fix PyTorch applies with sign(diag(R)). The result has
 * QᵀQ = gain²·I when rows ≥ cols and QQᵀ = gain²·I otherwise.
 */
export function orthogonal(options: SeedOptions & { gain?: number } = {}): Initializer {
  const { gain = 1, seed = 0 } = options;
  return (shape) => {
    if (shape.length < 2) throw new Error(`orthogonal: needs a shape of rank >= 2, got [${shape.join(", ")}]`);
    const cols = shape[shape.length - 1];
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const [tall, narrow] = rows >= cols ? [rows, cols] : [cols, rows];
    const rng = createRng(seed);
    // columns[j] is column j of a tall × narrow Gaussian matrix.
    const columns = Array.from({ length: narrow }, () => Float64Array.from({ length: tall }, () => rng.normal()));
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < narrow; j++) {
        const v = columns[j];
        for (let k = 0; k < j; k++) {
          const q = columns[k];
          let dot = 0;
          for (let i = 0; i < tall; i++) dot += q[i] * v[i];
          for (let i = 0; i < tall; i++) v[i] -= dot * q[i];
        }
        let norm = 0;
        for (let i = 0; i < tall; i++) norm += v[i] * v[i];
        norm = Math.sqrt(norm);
        if (!(norm > 1e-12)) throw new Error("orthogonal: the random matrix was rank deficient; try another seed");
        for (let i = 0; i < tall; i++) v[i] /= norm;
      }
    }
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        // Tall: entry (r, c) is column c's r-th element; wide: the transpose.
        out[r * cols + c] = gain * (rows >= cols ? columns[c][r] : columns[r][c]);
      }
    }
    return out;
  };
}
