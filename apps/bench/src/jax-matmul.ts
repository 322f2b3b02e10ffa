import type { Array as JaxArray } from "@jax-js/jax";
import { loadJax } from "./contenders/jax.ts";
import { seededRandom } from "./problem.ts";
import type { MatmulCase } from "./roofline.ts";

/**
 * jax-js's jitted matmul on the same shape, as the peer point of reference on the
 * roofline (PEERS.md: it reaches 22–34 GFLOP/s with its Wasm SIMD kernels).
 * Returns the best ms of `reps` runs (as for gradfold's kernels), each waited for
 * with blockUntilReady.
 */
export async function jaxMatmulMs(c: MatmulCase, reps = 15): Promise<number> {
  const jax = await loadJax();
  const np = jax.numpy;
  const random = seededRandom(3);
  const data = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
  const a = np.array(data(c.m * c.k), { shape: c.transA ? [c.k, c.m] : [c.m, c.k] });
  const b = np.array(data(c.k * c.n), { shape: c.transB ? [c.n, c.k] : [c.k, c.n] });
  const f = jax.jit((x: JaxArray, y: JaxArray) => np.matmul(c.transA ? x.transpose() : x, c.transB ? y.transpose() : y)) as unknown as ((x: JaxArray, y: JaxArray) => JaxArray) & {
    dispose(): void;
  };
  const once = async () => {
    const t0 = performance.now();
    const out = f(a.ref, b.ref);
    await out.blockUntilReady();
    const ms = performance.now() - t0;
    out.dispose();
    return ms;
  };
  for (let i = 0; i < 3; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await once());
  a.dispose();
  b.dispose();
  f.dispose();
  return Math.min(...times);
}
