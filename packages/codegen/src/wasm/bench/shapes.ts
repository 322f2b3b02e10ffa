import type { MatmulSpec } from "../matmul-spec.ts";

/** Forward and backward products of the MLP's 784→256 layer at batch 128 and 1000. */
export const benchShapes: MatmulSpec[] = [
  { name: "fwd_b128", variant: "nn", m: 128, k: 784, n: 256 },
  { name: "dW_b128", variant: "tn", m: 784, k: 128, n: 256 },
  { name: "dX_b128", variant: "nt", m: 128, k: 256, n: 784 },
  { name: "fwd_b1000", variant: "nn", m: 1000, k: 784, n: 256 },
  { name: "dW_b1000", variant: "tn", m: 784, k: 1000, n: 256 },
  { name: "dX_b1000", variant: "nt", m: 1000, k: 256, n: 784 },
];
