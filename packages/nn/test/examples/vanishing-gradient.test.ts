/**
 * The vanishing-gradient effect, measured. In a deep stack of sigmoid layers each
 * layer multiplies the backward signal by Wᵀ·diag(σ'(z)) with σ' ≤ ¼, so the gradient
 * reaching the first layer is many orders of magnitude smaller than the last layer's.
 * A residual unit y = h + F(h) adds the identity to each layer's Jacobian, giving the
 * gradient a path around every sigmoid: the first layer's gradient stays within a small
 * factor of the last one's. Non-saturating units (ReLU with He init) also keep it alive.
 *
 * Measured ratios ‖∂J/∂W₁‖ / ‖∂J/∂W₂₀‖ at initialisation (width 16, batch 16):
 * plain sigmoid ≈ 4e-13, residual sigmoid ≈ 0.28, plain ReLU with He init ≈ 1.4.
 */
import { evaluate, grad, input } from "@gradfold/graph";
import { describe, expect, test } from "vitest";
import { heNormal } from "../../src/init/initializers.ts";
import { createRng, hashString } from "../../src/init/prng.ts";
import type { ActivationName } from "../../src/layers/activations.ts";
import { residual } from "../../src/layers/connections.ts";
import { dense } from "../../src/layers/dense.ts";
import type { FloatTensor } from "../../src/layers/layer.ts";
import { squaredError } from "../../src/losses/regression.ts";

const WIDTH = 16;
const BATCH = 16;
const DEPTH = 20;

const rng = createRng(3);
const X = Float64Array.from({ length: BATCH * WIDTH }, () => rng.normal());
const Y = Float64Array.from({ length: BATCH }, () => rng.normal());
const norm = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));

/** Gradient norms of the 20 hidden kernels, first to last, at initialisation. */
function kernelGradientNorms(kind: "plain" | "residual", activation: ActivationName, he = false): number[] {
  const x = input("x", [BATCH, WIDTH]);
  const kernels: FloatTensor[] = [];
  let h: FloatTensor = x;
  for (let i = 0; i < DEPTH; i++) {
    const name = `${kind}-${activation}/${i}`;
    const init = he ? heNormal({ seed: hashString(name) }) : undefined; // default: Glorot uniform
    const block = (z: FloatTensor) => dense(z, WIDTH, { name, activation, init });
    const layer = kind === "plain" ? block(h) : residual(h, block);
    kernels.push(layer.params[0]);
    h = layer.output;
  }
  const out = dense(h, 1, { name: `${kind}-${activation}/out` });
  const loss = squaredError(out.output, input("y", [BATCH, 1]));
  return evaluate(grad(loss, kernels), { x: X, y: Y }).map(norm);
}

describe("vanishing gradients in a 20-layer MLP", () => {
  test("plain sigmoid: the first layer's gradient is orders of magnitude below the last's", () => {
    const norms = kernelGradientNorms("plain", "sigmoid");
    const ratio = norms[0] / norms[DEPTH - 1];
    expect(ratio).toBeLessThan(1e-8);
    expect(norms[DEPTH - 1]).toBeGreaterThan(1e-2); // the last layer itself learns fine
    // The decay is steady through depth, not one bad layer: every 5 layers lose > 10×.
    for (let i = 5; i < DEPTH; i += 5) expect(norms[i - 5] / norms[i]).toBeLessThan(0.1);
  });

  test("residual sigmoid: the identity path keeps the first layer's gradient within 10× of the last's", () => {
    const norms = kernelGradientNorms("residual", "sigmoid");
    const ratio = norms[0] / norms[DEPTH - 1];
    expect(ratio).toBeGreaterThan(0.1);
    expect(ratio).toBeLessThan(10);
  });

  test("plain ReLU with He init: a non-saturating unit does not vanish either", () => {
    const norms = kernelGradientNorms("plain", "relu", true);
    const ratio = norms[0] / norms[DEPTH - 1];
    expect(ratio).toBeGreaterThan(1e-2);
    expect(ratio).toBeLessThan(1e2);
  });
});
