import { Worker } from "node:worker_threads";
import { buildMatmulKernels, type BuildMatmulOptions, type MatmulKernel } from "./matmul-kernels.ts";
import type { MatmulSpec, ResolvedMatmul } from "./matmul-spec.ts";
import { splitRows, type RowPart } from "./matmul-split.ts";
import { CONTROL, SLOT_INTS, workerSource } from "./matmul-worker-source.ts";
import type { WasmMemory } from "./wasm-api.ts";

export interface MatmulPoolOptions extends Omit<BuildMatmulOptions, "shared"> {
  /** Worker threads besides the caller (default 1: two cores in all). */
  readonly workers?: number;
  /**
   * Split a kernel across threads only when 2·M·K·N reaches this many flops
   * (default 2e6, about 60 µs of one core's work here — well above the ~10 µs
   * a wake-up round trip costs); smaller kernels run on the caller alone.
   */
  readonly minFlops?: number;
}

export interface MatmulPool {
  /** Every spec's kernel; those worth splitting run across the caller and the workers. */
  readonly kernels: Record<string, MatmulKernel>;
  /** Every spec's kernel on the calling thread only (same results, bit for bit). */
  readonly single: Record<string, MatmulKernel>;
  /** The specs that are split, with their row parts (part 0 runs on the caller). */
  readonly splits: ReadonlyMap<string, readonly RowPart[]>;
  readonly specs: readonly ResolvedMatmul[];
  /** Stops the workers; idempotent. Workers are unref'd, so a forgotten pool never keeps a process alive. */
  close(): Promise<void>;
}

/**
 * Compiles the kernels once for a shared memory and starts `workers` worker threads
 * that instantiate the same module against it. A split kernel is synchronous for
 * its caller: it publishes each worker's row part in a shared control array,
 * computes part 0 itself, then waits for the workers (Atomics.wait/notify).
 */
export async function createMatmulPool(
  specs: readonly MatmulSpec[],
  memory: WasmMemory,
  options: MatmulPoolOptions = {},
): Promise<MatmulPool> {
  if (!(memory.buffer instanceof SharedArrayBuffer)) {
    throw new TypeError("createMatmulPool: the memory must be shared (new WebAssembly.Memory({ initial, maximum, shared: true }))");
  }
  const workerCount = options.workers ?? 1;
  if (!Number.isInteger(workerCount) || workerCount < 0) throw new RangeError(`createMatmulPool: workers must be a non-negative integer, got ${workerCount}`);
  const minFlops = options.minFlops ?? 2e6;

  const probe = buildMatmulKernels(specs, options);
  const splits = new Map<string, RowPart[]>();
  for (const s of probe.specs) {
    if (workerCount === 0 || 2 * s.m * s.k * s.n < minFlops) continue;
    const parts = splitRows(s, workerCount + 1, probe.tuning);
    if (parts.length > 1) splits.set(s.name, parts);
  }
  const partSpecs = [...splits.values()].flat().map((p) => p.spec);
  const built = buildMatmulKernels([...probe.specs, ...partSpecs], { ...options, shared: true });
  const names = built.specs.map((s) => s.name);
  const local = built.instantiate(memory);

  const control = new SharedArrayBuffer(Math.max(1, workerCount) * SLOT_INTS * 4);
  const workers = await Promise.all(
    Array.from({ length: workerCount }, (_, slot) => startWorker(built.module(true), memory, control, slot, names)),
  );
  const slots = workers.map((_, slot) => new Int32Array(control, slot * SLOT_INTS * 4, SLOT_INTS));

  const single: Record<string, MatmulKernel> = {};
  const kernels: Record<string, MatmulKernel> = {};
  for (const s of probe.specs) {
    single[s.name] = local[s.name];
    const parts = splits.get(s.name);
    if (!parts) {
      kernels[s.name] = local[s.name];
      continue;
    }
    const first = local[parts[0].spec.name];
    const jobs = parts.slice(1).map((p, w) => ({ slot: slots[w], kernel: names.indexOf(p.spec.name), part: p }));
    kernels[s.name] = (a, b, c, bias = 0) => {
      for (const job of jobs) {
        const ctrl = job.slot;
        ctrl[CONTROL.kernel] = job.kernel;
        ctrl[CONTROL.a] = a + job.part.aShift;
        ctrl[CONTROL.b] = b;
        ctrl[CONTROL.c] = c + job.part.cShift;
        ctrl[CONTROL.bias] = bias;
        Atomics.add(ctrl, CONTROL.seq, 1);
        Atomics.notify(ctrl, CONTROL.seq);
      }
      let error: unknown;
      try {
        first(a + parts[0].aShift, b, c + parts[0].cShift, bias);
      } catch (e) {
        error = e;
      }
      let workerFailed = false;
      for (const job of jobs) {
        const ctrl = job.slot;
        const seq = Atomics.load(ctrl, CONTROL.seq);
        for (;;) {
          const done = Atomics.load(ctrl, CONTROL.done);
          if (done === seq) break;
          Atomics.wait(ctrl, CONTROL.done, done);
        }
        if (ctrl[CONTROL.failed] !== 0) workerFailed = true;
      }
      if (error !== undefined) throw error;
      if (workerFailed) throw new RangeError(`matmul kernel ${JSON.stringify(s.name)}: a worker's row part failed (out-of-bounds offsets?)`);
    };
  }

  let closing: Promise<void> | undefined;
  return {
    kernels,
    single,
    splits,
    specs: probe.specs,
    close() {
      closing ??= Promise.all(
        workers.map((worker, w) => {
          const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
          // Keep the event loop alive until the exit arrives, or an awaited close() never settles.
          worker.ref();
          Atomics.store(slots[w], CONTROL.quit, 1);
          Atomics.add(slots[w], CONTROL.seq, 1);
          Atomics.notify(slots[w], CONTROL.seq);
          return exited;
        }),
      ).then(() => undefined);
      return closing;
    },
  };
}

function startWorker(module: unknown, memory: WasmMemory, control: SharedArrayBuffer, slot: number, names: string[]): Promise<Worker> {
  const worker = new Worker(workerSource, { eval: true, workerData: { module, memory, control, slot, names } });
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", () => {
      worker.off("error", reject);
      worker.unref();
      resolve(worker);
    });
  });
}
