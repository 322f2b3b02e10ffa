import { buildMatmulKernels, type BuildMatmulOptions, type MatmulKernel } from "./matmul-kernels.ts";
import type { MatmulSpec, ResolvedMatmul } from "./matmul-spec.ts";
import { planSplit, type MatmulPart } from "./matmul-split.ts";
import { adaptiveChoice, firstRoundCalls } from "./adaptive-choice.ts";
import { ARGS, claimChunk, COMMON, CONTROL, JOB_MASK, JOB_SHIFT, MAX_ARGS, MAX_CHUNKS, SLOT_INTS, type JobPlan } from "./matmul-worker-source.ts";
import { isSharedMemory, wasm, type WasmMemory, type WasmModule } from "./wasm-api.ts";
import type { LoopSplit } from "./loop-split.ts";
import { buildModule } from "./module-builder.ts";

/** A loop kernel's call: its pointer (byte offset) arguments, then its f32 ones. */
export type LoopKernel = (...args: number[]) => void;

export interface MatmulPoolOptions extends Omit<BuildMatmulOptions, "shared"> {
  /** Worker threads besides the caller (default 1: two cores in all). */
  readonly workers?: number;
  /**
   * Split a kernel across threads only when 2·M·K·N reaches this many flops
   * (default 2e6, about 60 µs of one core's work here — well above the ~10 µs
   * a wake-up round trip costs); smaller kernels run on the caller alone.
   */
  readonly minFlops?: number;
  /**
   * Byte offset of `pool.scratchBytes` bytes for packing B panels: one region per
   * thread (the caller's first). Without it kernels read B in place.
   */
  readonly scratchOffset?: number;
  /**
   * Measure split against caller-only per kernel now and then and use the faster
   * (default true; see adaptive-choice.ts). Results are the same either way.
   */
  readonly adaptive?: boolean;
  /**
   * Milliseconds a thread polls before sleeping (default 0.1): a worker after its
   * job, for the next one; the caller, for a worker's last chunk. A futex wake-up
   * costs ~60 µs here, a big share of a 0.2 ms matmul; the bound keeps an idle pool
   * from burning CPU. 0 sleeps at once.
   */
  readonly spinMs?: number;
  /**
   * Loop kernels (elementwise chains, optimizer updates, column sums, row reductions,
   * softmax) to split across the same threads, by the same protocol (loop-split.ts).
   */
  readonly loops?: readonly LoopSplit[];
}

export interface MatmulPool {
  /**
   * Every spec's kernel; those worth splitting run across the caller and the workers
   * (by default only while measurements say the split is faster).
   */
  readonly kernels: Record<string, MatmulKernel>;
  /** Every spec's kernel on the calling thread only (same results, bit for bit). */
  readonly single: Record<string, MatmulKernel>;
  /** The specs that are split, with their chunks of rows or columns (claimed in order by whichever thread is free). */
  readonly splits: ReadonlyMap<string, readonly MatmulPart[]>;
  /** Each split loop kernel (options.loops), split or adaptive as the matmuls. */
  readonly loops: Record<string, LoopKernel>;
  /** Each split loop kernel on the calling thread only (same results, bit for bit). */
  readonly singleLoops: Record<string, LoopKernel>;
  /** Names of every kernel the pool splits: matmuls, then loops. */
  readonly splitKernels: readonly string[];
  /** The loop kernels among them (the rest are matmuls). */
  readonly splitLoops: readonly string[];
  /**
   * Whether split kernels may use the workers at all (default true); false runs every
   * kernel on the caller only — the whole step's one-thread choice (compile-threaded.ts).
   * `splitAll` splits every kernel, bypassing the per-kernel choices (while the whole
   * step's choice measures threads: per-kernel choices still warming up, or stuck on the
   * caller from a busy moment, would make the threaded step look no faster than one thread).
   */
  useThreads(on: boolean, splitAll?: boolean): void;
  /**
   * Marks a step as running (true: wakes the workers at once, so their wake-up overlaps
   * the step's first kernels, and keeps them polling between its splits) or over
   * (false: they sleep after `spinMs`). Results do not depend on it.
   */
  stepping(on: boolean): void;
  readonly specs: readonly ResolvedMatmul[];
  /** Scratch bytes reserved from `scratchOffset`: threads × one call's panel. */
  readonly scratchBytes: number;
  /** Whether `kernels[name]` currently runs split (adaptive choice) — diagnostics. */
  usingSplit(name: string): boolean;
  /** Chunks each worker has run so far (diagnostics: how much work the workers took). */
  workerChunks(): number[];
  /** Stops the workers; idempotent. Workers are unref'd, so a forgotten pool never keeps a process alive. */
  close(): Promise<void>;
}

/** What a pool worker receives: the argument of `poolWorker` in matmul-worker-source.ts. */
export interface PoolWorkerData {
  /** The matmul kernels' module and the split loops' one (instantiated together, names resolved across them). */
  readonly modules: readonly WasmModule[];
  readonly memory: WasmMemory;
  readonly control: SharedArrayBuffer;
  readonly commonBuffer: SharedArrayBuffer;
  readonly slot: number;
  readonly names: readonly string[];
  /** Per split kernel: its argument counts and, per chunk, [kernel index, pointer byte shifts...]. */
  readonly plans: readonly JobPlan[];
  readonly scratch: number;
  readonly spinMs: number;
}

/** A started worker; `stop` runs `signalQuit` (which ends its loop) and resolves once it is gone. */
export interface PoolWorker {
  stop(signalQuit: () => void): Promise<void>;
}

/**
 * The one platform-specific part of the pool: start a worker that runs
 * `poolWorker(data, ready)` from workerLoopSource and resolve once it is ready
 * (Node: worker_threads, in matmul-pool.ts; browsers: Web Workers, in pool-browser.ts).
 */
export type StartPoolWorker = (data: PoolWorkerData) => Promise<PoolWorker>;

/**
 * Whether this thread may block in Atomics.wait. A browser's main thread may not
 * (it throws); there the caller of a split kernel spins instead — it only ever waits
 * for chunks a worker has already claimed, a fraction of one matmul.
 */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles the kernels once for a shared memory and starts `workers` worker threads
 * that instantiate the same module against it. A split kernel is synchronous for
 * its caller: it opens a job of row or column chunks, wakes the workers, claims and
 * runs chunks itself like any worker, then waits only for chunks a worker claimed
 * and has not finished (protocol in matmul-worker-source.ts). A delayed worker thus
 * costs nothing: the caller simply does more of the chunks.
 */
export async function createPoolWith(startWorker: StartPoolWorker, specs: readonly MatmulSpec[], memory: WasmMemory, options: MatmulPoolOptions = {}): Promise<MatmulPool> {
  if (!isSharedMemory(memory)) {
    throw new TypeError("createMatmulPool: the memory must be shared (new WebAssembly.Memory({ initial, maximum, shared: true }))");
  }
  const workerCount = options.workers ?? 1;
  if (!Number.isInteger(workerCount) || workerCount < 0) throw new RangeError(`createMatmulPool: workers must be a non-negative integer, got ${workerCount}`);
  const minFlops = options.minFlops ?? 2e6;
  const spinMs = options.spinMs ?? 0.1;

  const probe = buildMatmulKernels(specs, options);
  const chunksOf = new Map<string, MatmulPart[]>();
  for (const s of probe.specs) {
    if (workerCount === 0 || 2 * s.m * s.k * s.n < minFlops) continue;
    // Several chunks per thread when rows allow, claimed dynamically, so a thread the
    // OS delays (a shared machine) leaves its share to the others instead of stalling.
    const parts = planSplit(s, workerCount + 1, probe.tuning, options.scratchOffset !== undefined);
    if (parts.length > 1 && parts.length <= MAX_CHUNKS) chunksOf.set(s.name, parts);
  }
  // Chunks of equal shape share one kernel (only the offsets differ).
  const chunkSpecs = new Map<string, ResolvedMatmul>();
  const chunkName = (p: MatmulPart, s: ResolvedMatmul) => `${s.name}#${p.spec.m}x${p.spec.n}`;
  for (const s of probe.specs) for (const p of chunksOf.get(s.name) ?? []) chunkSpecs.set(chunkName(p, s), { ...p.spec, name: chunkName(p, s) });
  const built = buildMatmulKernels([...probe.specs, ...chunkSpecs.values()], { ...options, shared: true });
  const scratchOf = (thread: number) => (options.scratchOffset ?? 0) + thread * built.scratchBytes;
  const splitSpecs = probe.specs.filter((s) => chunksOf.has(s.name));
  // Loops whose arguments fit a slot; their functions (whole and chunks) in one module.
  const loops = workerCount === 0 ? [] : (options.loops ?? []).filter((l) => l.pointers + l.floats <= MAX_ARGS && l.chunks.length <= MAX_CHUNKS);
  const loopFunctions = loops.flatMap((l) => l.functions.map((fn, i) => ({ name: `${l.name}#f${i}`, fn })));
  const loopModule = loopFunctions.length > 0 ? new wasm.Module(buildModule({ shared: true }, loopFunctions)) : null;
  const modules = loopModule ? [built.module(true), loopModule] : [built.module(true)];
  const names = [...built.specs.map((s) => s.name), ...loopFunctions.map((f) => f.name)];
  const localExports: Record<string, unknown> = { ...built.instantiate(memory) };
  if (loopModule) Object.assign(localExports, new wasm.Instance(loopModule, { env: { memory } }).exports);
  const plans: JobPlan[] = [
    ...splitSpecs.map((s) => ({
      pointers: 4,
      floats: 0,
      chunks: chunksOf.get(s.name)!.map((p) => [names.indexOf(chunkName(p, s)), p.aShift, p.bShift, p.cShift, p.biasShift]),
    })),
    ...loops.map((l) => ({ pointers: l.pointers, floats: l.floats, chunks: l.chunks.map((c) => [names.indexOf(`${l.name}#f${c.fn}`), ...c.shifts]) })),
  ];

  const control = new SharedArrayBuffer(Math.max(1, workerCount) * SLOT_INTS * 4);
  const commonBuffer = new SharedArrayBuffer(16);
  const common = new Int32Array(commonBuffer);
  let job = 0;
  const workers = await Promise.all(
    Array.from({ length: workerCount }, (_, slot) => startWorker({ modules, memory, control, commonBuffer, slot, names, plans, scratch: scratchOf(slot + 1), spinMs })),
  );
  const slots = workers.map((_, slot) => new Int32Array(control, slot * SLOT_INTS * 4, SLOT_INTS));
  const slotFloats = workers.map((_, slot) => new Float32Array(control, slot * SLOT_INTS * 4, SLOT_INTS));
  const kernelByIndex = names.map((name) => localExports[name] as (...args: number[]) => void);
  const callerScratch = scratchOf(0);
  const callerCanSleep = canBlock();

  /**
   * The split kernel of plan `planIndex`: synchronous for its caller, which opens a job,
   * wakes the workers, claims and runs chunks itself like any worker, then waits only
   * for chunks a worker claimed and has not finished.
   */
  const splitKernel = (planIndex: number, what: string): LoopKernel => {
    const { pointers, floats, chunks } = plans[planIndex];
    const callArgs: number[] = new Array(pointers + floats + 1).fill(0);
    callArgs[pointers + floats] = callerScratch;
    return (...args) => {
      job = (job + 1) & JOB_MASK || 1;
      // Open the job for claims before waking anyone; arguments go in each slot
      // before its seq, which publishes them (seq-cst store).
      Atomics.store(common, COMMON.done, 0);
      Atomics.store(common, COMMON.claim, job << JOB_SHIFT);
      for (let w = 0; w < slots.length; w++) {
        const ctrl = slots[w];
        ctrl[CONTROL.plan] = planIndex;
        for (let p = 0; p < pointers; p++) ctrl[ARGS + p] = args[p] ?? 0;
        for (let f = 0; f < floats; f++) slotFloats[w][ARGS + pointers + f] = args[pointers + f];
        Atomics.store(ctrl, CONTROL.seq, job);
        Atomics.notify(ctrl, CONTROL.seq);
      }
      for (let f = 0; f < floats; f++) callArgs[pointers + f] = args[pointers + f];
      let error: unknown;
      for (let i = claimChunk(common, job, chunks.length); i >= 0; i = claimChunk(common, job, chunks.length)) {
        const chunk = chunks[i];
        for (let p = 0; p < pointers; p++) callArgs[p] = (args[p] ?? 0) + chunk[1 + p];
        try {
          kernelByIndex[chunk[0]](...callArgs);
        } catch (e) {
          error ??= e;
        }
        Atomics.add(common, COMMON.done, 1);
      }
      // Wait only for chunks a worker has claimed and not finished: poll briefly (the
      // chunk is usually nearly done), then sleep.
      for (const until = performance.now() + spinMs; Atomics.load(common, COMMON.done) < chunks.length && performance.now() < until; );
      for (let done = Atomics.load(common, COMMON.done); done < chunks.length; done = Atomics.load(common, COMMON.done)) {
        if (callerCanSleep) Atomics.wait(common, COMMON.done, done);
      }
      if (error !== undefined) throw error;
      if (slots.some((ctrl) => Atomics.load(ctrl, CONTROL.failed) === job)) {
        throw new RangeError(`${what}: a worker's chunk failed (out-of-bounds offsets?)`);
      }
    };
  };

  let threaded = true;
  let splitAll = false;
  const choosers = new Map<string, { usingSplit(): boolean }>();
  /** The kernel the step calls: split (or adaptively chosen) while threads are on, else `one`. */
  const wrap = (name: string, split: LoopKernel, one: LoopKernel): LoopKernel => {
    if (options.adaptive === false) return (...args) => (threaded ? split(...args) : one(...args));
    // One kernel's first round after another's, not all in the same steps.
    const chooser = adaptiveChoice(split, one, { delay: choosers.size * firstRoundCalls });
    choosers.set(name, chooser);
    return (...args) => (threaded ? (splitAll ? split(...args) : chooser(...args)) : one(...args));
  };
  const single: Record<string, MatmulKernel> = {};
  const kernels: Record<string, MatmulKernel> = {};
  for (const s of probe.specs) {
    single[s.name] = kernelByIndex[names.indexOf(s.name)] as MatmulKernel;
    const planIndex = splitSpecs.indexOf(s);
    // A matmul's optional bias offset arrives as undefined, which the split reads as 0.
    kernels[s.name] =
      planIndex < 0 ? single[s.name] : (wrap(s.name, splitKernel(planIndex, `matmul kernel ${JSON.stringify(s.name)}`), single[s.name] as LoopKernel) as MatmulKernel);
  }
  const loopKernels: Record<string, LoopKernel> = {};
  const singleLoops: Record<string, LoopKernel> = {};
  loops.forEach((l, i) => {
    singleLoops[l.name] = kernelByIndex[names.indexOf(`${l.name}#f${l.whole}`)];
    loopKernels[l.name] = wrap(l.name, splitKernel(splitSpecs.length + i, `loop kernel ${JSON.stringify(l.name)}`), singleLoops[l.name]);
  });

  let closing: Promise<void> | undefined;
  return {
    kernels,
    single,
    splits: chunksOf,
    specs: probe.specs,
    scratchBytes: built.scratchBytes * (workerCount + 1),
    loops: loopKernels,
    singleLoops,
    splitKernels: [...splitSpecs.map((s) => s.name), ...loops.map((l) => l.name)],
    splitLoops: loops.map((l) => l.name),
    useThreads(on, all = false) {
      threaded = on;
      splitAll = all;
    },
    stepping(on) {
      Atomics.store(common, COMMON.active, on ? 1 : 0);
      if (on) for (const ctrl of slots) Atomics.notify(ctrl, CONTROL.seq);
    },
    workerChunks: () => slots.map((ctrl) => Atomics.load(ctrl, CONTROL.chunksRun)),
    usingSplit: (name) => threaded && (choosers.get(name)?.usingSplit() ?? (options.adaptive === false && (chunksOf.has(name) || name in loopKernels))),
    close() {
      closing ??= Promise.all(
        workers.map((worker, w) =>
          worker.stop(() => {
            Atomics.store(slots[w], CONTROL.quit, 1);
            Atomics.add(slots[w], CONTROL.seq, 1);
            Atomics.notify(slots[w], CONTROL.seq);
          }),
        ),
      ).then(() => undefined);
      return closing;
    },
  };
}
