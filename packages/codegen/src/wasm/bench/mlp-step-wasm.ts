/**
 * What one MLP training step (784-256-128-10, ReLU, softmax cross-entropy, SGD)
 * costs when every matmul, bias, activation, mask, bias gradient and update runs
 * in these Wasm kernels — the floor the compiled step can approach. Hand-wired,
 * not generated from a graph; the softmax of the 10 logits is plain JS. A script:
 *
 *   cd packages/codegen && npx tsx --conditions=source src/wasm/bench/mlp-step-wasm.ts [batch]
 */
import { array, constant, mul, scalar, selectGt, sub } from "../elementwise-expr.ts";
import type { MatmulKernel } from "../matmul-kernels.ts";
import type { MatmulSpec } from "../matmul-spec.ts";
import { createMatmulPool } from "../matmul-pool.ts";
import { buildSimdKernels } from "../simd-kernels.ts";
import { seededRandom } from "../matmul-test-harness.ts";
import { wasm } from "../wasm-api.ts";
import { timeCall, warmUp } from "./timing.ts";

const B = Number(process.argv[2] ?? 128);
const [D0, D1, D2, D3] = [784, 256, 128, 10];

// Arena: every buffer at a fixed byte offset in one shared memory.
let top = 64;
const alloc = (floats: number) => {
  const at = top;
  top += 4 * floats + 64;
  return at;
};
const buf = {
  x: alloc(B * D0), W1: alloc(D0 * D1), b1: alloc(D1), W2: alloc(D1 * D2), b2: alloc(D2), W3: alloc(D2 * D3), b3: alloc(D3),
  h1: alloc(B * D1), h2: alloc(B * D2), logits: alloc(B * D3), dlogits: alloc(B * D3),
  dh2: alloc(B * D2), dh1: alloc(B * D1), dW1: alloc(D0 * D1), db1: alloc(D1), dW2: alloc(D1 * D2), db2: alloc(D2), dW3: alloc(D2 * D3), db3: alloc(D3),
};
const scratchOffset = alloc(4 * 65536 / 4);
const pages = Math.ceil(top / 65536) + 1;
const memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true });
const f32 = new Float32Array(memory.buffer);
const random = seededRandom(42);
for (const [name, at] of Object.entries(buf)) {
  const n = name === "x" ? B * D0 : name.startsWith("W") ? ({ W1: D0 * D1, W2: D1 * D2, W3: D2 * D3 } as Record<string, number>)[name] : 0;
  for (let i = 0; i < n; i++) f32[at / 4 + i] = random() * (name === "x" ? 1 : 0.05);
}
const labels = Int32Array.from({ length: B }, (_, i) => i % D3);

const matmuls: MatmulSpec[] = [
  { name: "fwd1", variant: "nn", m: B, k: D0, n: D1, bias: true, activation: "relu" },
  { name: "fwd2", variant: "nn", m: B, k: D1, n: D2, bias: true, activation: "relu" },
  { name: "fwd3", variant: "nn", m: B, k: D2, n: D3, bias: true },
  { name: "dW3", variant: "tn", m: D2, k: B, n: D3 },
  { name: "dh2", variant: "nt", m: B, k: D3, n: D2 },
  { name: "dW2", variant: "tn", m: D1, k: B, n: D2 },
  { name: "dh1", variant: "nt", m: B, k: D2, n: D1 },
  { name: "dW1", variant: "tn", m: D0, k: B, n: D1 },
];
const lr = scalar(0);
const sgd = (name: string, length: number) => ({ name, length, arrays: 2, scalars: 1, outputs: [sub(array(0), mul(lr, array(1)))] });
const mask = (name: string, length: number) => ({ name, length, arrays: 2, outputs: [selectGt(array(1), constant(0), array(0), constant(0))] });
const others = buildSimdKernels({
  elementwise: [mask("mask2", B * D2), mask("mask1", B * D1), sgd("sgdW1", D0 * D1), sgd("sgdW2", D1 * D2), sgd("sgdW3", D2 * D3), sgd("sgdb1", D1), sgd("sgdb2", D2), sgd("sgdb3", D3)],
  columnSums: [{ name: "db3", rows: B, cols: D3 }, { name: "db2", rows: B, cols: D2 }, { name: "db1", rows: B, cols: D1 }],
}).instantiate(memory);
const pool = await createMatmulPool(matmuls, memory, { workers: 1, scratchOffset });

function softmaxCrossEntropyGrad(): number {
  let loss = 0;
  for (let i = 0; i < B; i++) {
    const row = buf.logits / 4 + i * D3, out = buf.dlogits / 4 + i * D3;
    let max = -Infinity;
    for (let j = 0; j < D3; j++) max = Math.max(max, f32[row + j]);
    let sum = 0;
    for (let j = 0; j < D3; j++) sum += Math.exp(f32[row + j] - max);
    loss += Math.log(sum) + max - f32[row + labels[i]];
    for (let j = 0; j < D3; j++) f32[out + j] = (Math.exp(f32[row + j] - max) / sum - (j === labels[i] ? 1 : 0)) / B;
  }
  return loss / B;
}

function step(mm: Record<string, MatmulKernel>): number {
  const e = others.elementwise, cs = others.columnSums;
  mm.fwd1(buf.x, buf.W1, buf.h1, buf.b1);
  mm.fwd2(buf.h1, buf.W2, buf.h2, buf.b2);
  mm.fwd3(buf.h2, buf.W3, buf.logits, buf.b3);
  const loss = softmaxCrossEntropyGrad();
  mm.dW3(buf.h2, buf.dlogits, buf.dW3);
  cs.db3(buf.db3, buf.dlogits);
  mm.dh2(buf.dlogits, buf.W3, buf.dh2);
  e.mask2(buf.dh2, buf.dh2, buf.h2);
  mm.dW2(buf.h1, buf.dh2, buf.dW2);
  cs.db2(buf.db2, buf.dh2);
  mm.dh1(buf.dh2, buf.W2, buf.dh1);
  e.mask1(buf.dh1, buf.dh1, buf.h1);
  mm.dW1(buf.x, buf.dh1, buf.dW1);
  cs.db1(buf.db1, buf.dh1);
  for (const [p, g, k] of [["W1", "dW1", "sgdW1"], ["W2", "dW2", "sgdW2"], ["W3", "dW3", "sgdW3"], ["b1", "db1", "sgdb1"], ["b2", "db2", "sgdb2"], ["b3", "db3", "sgdb3"]] as const) {
    e[k](buf[p], buf[p], buf[g], 0.05);
  }
  return loss;
}

const first = step(pool.single);
for (let i = 0; i < 50; i++) step(pool.single);
console.log(`batch ${B}: loss ${first.toFixed(4)} → ${step(pool.single).toFixed(4)} after 51 SGD steps`);
warmUp(() => step(pool.single), 200);
warmUp(() => step(pool.kernels), 200);
for (let round = 0; round < 3; round++) {
  const one = timeCall(() => step(pool.single), 15, 5);
  const two = timeCall(() => step(pool.kernels), 15, 5);
  console.log(`1 thread: ${one.median.toFixed(2)} ms wall, ${one.cpuMedian.toFixed(2)} ms CPU | 2 threads (adaptive pool): ${two.median.toFixed(2)} ms wall (best ${two.best.toFixed(2)})`);
}
await pool.close();
