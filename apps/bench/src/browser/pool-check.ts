import { compile } from "@gradfold/codegen";
import { compileThreaded, createMatmulPool } from "@gradfold/codegen/threads";
import { stepSpec } from "../gradfold-step.ts";
import { makeProblem, seededRandom } from "../problem.ts";
import type { PoolCheck } from "./protocol.ts";

interface WasmMemoryApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: SharedArrayBuffer; grow(pages: number): number };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmMemoryApi }).WebAssembly;

/** Odd sizes, each variant, split by rows and by columns (as in codegen's own pool test). */
const specs = [
  { name: "nn", variant: "nn", m: 130, k: 67, n: 45, bias: true, activation: "relu" },
  { name: "tn", variant: "tn", m: 127, k: 33, n: 70 },
  { name: "nt", variant: "nt", m: 131, k: 58, n: 29, bias: true },
  { name: "wide", variant: "nn", m: 9, k: 300, n: 260 },
] as const;

/**
 * The browser pool against the calling thread alone, where it runs (a Worker, or the
 * page's main thread): each split kernel's output bit for bit against the caller-only
 * kernel's, and compileThreaded's training steps against compile()'s.
 */
export async function poolCheck(where: string): Promise<PoolCheck> {
  const memory = new wasm.Memory({ initial: 64, maximum: 64, shared: true });
  const floats = new Float32Array(memory.buffer);
  const random = seededRandom(5);
  for (let i = 0; i < 60 * 16384; i++) floats[i] = random() * 2 - 1;
  // Operands from the filled region; outputs and scratch above it.
  const [a, b, bias, c1, c2, scratch] = [0, 400_000, 800_000, 4 * 61 * 16384, 4 * 62 * 16384, 4 * 63 * 16384];
  const pool = await createMatmulPool(specs, memory, { workers: 1, minFlops: 1e4, adaptive: false, scratchOffset: scratch });
  let kernelsIdentical = pool.splits.size === specs.length;
  const chunksDone = () => pool.workerChunks().reduce((x, y) => x + y, 0);
  try {
    // On a busy machine the caller may take every chunk before the worker wakes: repeat (each
    // round compared bit for bit) until the worker has done some, so the split is really checked.
    for (let round = 0; round < 200 && (round === 0 || chunksDone() === 0); round++) {
      for (const s of specs) {
        pool.kernels[s.name](a, b, c1, bias);
        pool.single[s.name](a, b, c2, bias);
        const split = new Uint32Array(memory.buffer, c1, s.m * s.n);
        const single = new Uint32Array(memory.buffer, c2, s.m * s.n);
        kernelsIdentical &&= split.every((bits, i) => bits === single[i]);
      }
      if (chunksDone() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await pool.close();
  }
  const workerChunks = chunksDone();

  const problem = makeProblem({ id: "pool-check", layers: [64, 48, 10], batch: 32, optimizer: "adam" }, 3);
  const single = compile(stepSpec(problem));
  const threaded = await compileThreaded(stepSpec(problem), { threads: 2, minFlops: 1e4 });
  const losses: number[] = [];
  let stepsIdentical = true;
  try {
    const feeds = { x: problem.x, labels: problem.labels };
    for (let i = 0; i < 4; i++) {
      const loss = threaded.run(feeds).loss[0];
      losses.push(loss);
      stepsIdentical &&= Object.is(loss, single.run(feeds).loss[0]);
    }
    stepsIdentical &&= sameParams(threaded, single);
  } finally {
    await threaded.close();
  }
  return { where, kernelsIdentical, workerChunks, stepsIdentical, losses, ...(await loopCheck()) };
}

/**
 * A step whose loops (the 256×256 weight's and the batch's elementwise kernels, the
 * bias gradients' column sums) reach the 32768 elements from which they split: every
 * split, never adaptive, bit for bit against compile() over a few SGD steps.
 */
async function loopCheck(): Promise<Pick<PoolCheck, "loopKernels" | "loopStepsIdentical" | "loopWorkerChunks">> {
  const problem = makeProblem({ id: "loop-check", layers: [256, 256, 10], batch: 128, optimizer: "sgd" }, 4);
  const single = compile(stepSpec(problem));
  const threaded = await compileThreaded(stepSpec(problem), { threads: 2, adaptive: false });
  const loopKernels = threaded.splitLoops.length;
  let loopStepsIdentical = true;
  try {
    const feeds = { x: problem.x, labels: problem.labels };
    for (let i = 0; i < 200 && (i < 4 || threaded.workerChunks()[0] === 0); i++) {
      loopStepsIdentical &&= Object.is(threaded.run(feeds).loss[0], single.run(feeds).loss[0]);
      if (threaded.workerChunks()[0] === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    loopStepsIdentical &&= sameParams(threaded, single);
    return { loopKernels, loopStepsIdentical, loopWorkerChunks: threaded.workerChunks()[0] };
  } finally {
    await threaded.close();
  }
}

/** Whether every param and state slot of the two steps holds the same bits. */
function sameParams(a: { read(name: string): Float32Array }, b: { read(name: string): Float32Array; names(): string[] }): boolean {
  return b.names().every((name) => {
    const x = new Uint32Array(a.read(name).buffer);
    const y = new Uint32Array(b.read(name).buffer);
    return x.length === y.length && x.every((bits, i) => bits === y[i]);
  });
}
