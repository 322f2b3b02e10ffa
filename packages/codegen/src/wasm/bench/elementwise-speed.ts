/**
 * Adam's update over 784·256 parameters: the generated Wasm elementwise kernel
 * against the same loop in plain JS over Float32Arrays. A script, not a test:
 *
 *   cd packages/codegen && npx tsx --conditions=source src/wasm/bench/elementwise-speed.ts
 */
import { add, array, constant, div, mul, scalar, sqrt, sub } from "../elementwise-expr.ts";
import { buildSimdKernels } from "../simd-kernels.ts";
import { seededRandom } from "../matmul-test-harness.ts";
import { wasm } from "../wasm-api.ts";
import { timeCall, warmUp } from "./timing.ts";

const n = 784 * 256;
const [p, g, m, v] = [array(0), array(1), array(2), array(3)];
const [beta1, beta2, lrHat, eps] = [scalar(0), scalar(1), scalar(2), scalar(3)];
const m1 = add(mul(beta1, m), mul(sub(constant(1), beta1), g));
const v1 = add(mul(beta2, v), mul(mul(sub(constant(1), beta2), g), g));
const built = buildSimdKernels({ elementwise: [{ name: "adam", length: n, arrays: 4, scalars: 4, outputs: [sub(p, div(mul(lrHat, m1), add(sqrt(v1), eps))), m1, v1] }] });
const memory = new wasm.Memory({ initial: Math.ceil((16 * n + 64) / 65536) });
const f32 = new Float32Array(memory.buffer);
const random = seededRandom(1);
for (let i = 0; i < 4 * n; i++) f32[i] = Math.abs(random());
const at = [0, n, 2 * n, 3 * n].map((x) => 4 * x);
const { adam } = built.instantiate(memory).elementwise;
const wasmRun = () => adam(at[0], at[2], at[3], at[0], at[1], at[2], at[3], 0.9, 0.999, 1e-3, 1e-8);

const [P, G, M, Vv] = [0, 1, 2, 3].map((k) => new Float32Array(memory.buffer, at[k], n));
const jsRun = () => {
  const b1 = 0.9, b2 = 0.999, lr = 1e-3, e = 1e-8;
  for (let i = 0; i < n; i++) {
    const gi = G[i];
    const mi = b1 * M[i] + (1 - b1) * gi;
    const vi = b2 * Vv[i] + (1 - b2) * gi * gi;
    M[i] = mi;
    Vv[i] = vi;
    P[i] -= (lr * mi) / (Math.sqrt(vi) + e);
  }
};
warmUp(wasmRun);
warmUp(jsRun);
const w = timeCall(wasmRun), j = timeCall(jsRun);
console.log(`Adam update, ${n} params: Wasm ${w.cpuMedian.toFixed(3)} ms, JS ${j.cpuMedian.toFixed(3)} ms (CPU medians), ${(j.cpuMedian / w.cpuMedian).toFixed(1)}×`);
