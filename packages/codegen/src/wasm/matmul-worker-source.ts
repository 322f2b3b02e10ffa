/**
 * The shared-memory protocol of the matmul pool and the body of a pool worker.
 *
 * `common` (shared by all threads): CLAIM packs the current job's id (high 24 bits)
 * with the next unclaimed chunk index (low 8 bits); DONE counts the job's finished
 * chunks. A thread claims a chunk with compare-exchange only while CLAIM still
 * carries its job id, so a worker that wakes late, after the caller has finished
 * every chunk itself and moved on, claims nothing and cannot touch the next job.
 * The caller returns once DONE reaches the chunk count — it never waits for a
 * worker that has not started.
 *
 * Each worker's slot in `control`: seq (the job id it was woken for), plan, quit,
 * failed (the id of a job in which one of its chunks threw), chunksRun (diagnostics),
 * then the call's arguments from ARGS on: the pointer (byte offset) arguments as
 * int32, then the f32 ones as float32 bits. A matmul and a loop kernel are jobs alike:
 * each chunk is [kernel index, byte shift of each pointer argument] and runs as
 * `kernel(pointer + shift..., floats..., scratch)` (a loop ignores the scratch).
 */
export const CONTROL = { seq: 0, plan: 1, quit: 2, failed: 3, chunksRun: 4 } as const;
export const ARGS = 8;
export const SLOT_INTS = 32;
/** Arguments a split kernel may take (pointers and floats together). */
export const MAX_ARGS = SLOT_INTS - ARGS;

/** One split kernel as the threads see it: its pointer and float argument counts and its chunks. */
export interface JobPlan {
  readonly pointers: number;
  readonly floats: number;
  /** Per chunk: [kernel index, byte shift of each pointer argument]. */
  readonly chunks: readonly (readonly number[])[];
}
/** ACTIVE is 1 while the caller runs a step whose kernels may split (see `pool.stepping`). */
export const COMMON = { claim: 0, done: 1, active: 2 } as const;
/** While a step runs, a worker polls for the next job up to this long before sleeping. */
export const ACTIVE_SPIN_MS = 5;
/**
 * Between steps a worker sleeps in timed waits of LINGER_WAIT_MS for up to LINGER_MS
 * before it sleeps for good: a thread that slept ≥ 5 ms here woke so slowly that the
 * next batch-128 step took 2.4–3.6 ms on two threads instead of 1.7 (one thread: 3.1),
 * while with lingering it took 1.7–1.8 ms after gaps of 10 ms (a VM's idle core is slow
 * to get back). A timed wait costs a wake-up per ms, and an idle pool none after LINGER_MS.
 */
export const LINGER_MS = 50;
export const LINGER_WAIT_MS = 1;
export const JOB_SHIFT = 8;
/** Chunks per job must fit in the claim word's low bits. */
export const MAX_CHUNKS = (1 << JOB_SHIFT) - 1;
export const JOB_MASK = (1 << (32 - JOB_SHIFT)) - 1;

/** Claims the next chunk of `job` (< count), or -1 when none is left or the job is over. */
export function claimChunk(common: Int32Array, job: number, count: number): number {
  for (;;) {
    const word = Atomics.load(common, COMMON.claim);
    if (word >>> JOB_SHIFT !== job || (word & MAX_CHUNKS) >= count) return -1;
    if (Atomics.compareExchange(common, COMMON.claim, word, word + 1) === word) return word & MAX_CHUNKS;
  }
}

/**
 * The worker's loop, as the text of a function `poolWorker(data, ready)` that each
 * platform's worker source calls (Node: worker_threads with `eval`; browsers: a Blob
 * URL worker), so it runs the same from TypeScript sources, the built package, or a
 * bundle. It never returns to its event loop until quit: spin at most `spinMs` (up to
 * ACTIVE_SPIN_MS in a step), linger in short timed waits between steps, then sleep until
 * seq changes, claim and run chunks of that job, count each in DONE and notify, wait again.
 */
export const workerLoopSource = `
function poolWorker(data, ready) {
const { modules, memory, control, commonBuffer, slot, names, plans, scratch, spinMs } = data;
const ctrl = new Int32Array(control, slot * ${SLOT_INTS} * 4, ${SLOT_INTS});
const ctrlFloats = new Float32Array(control, slot * ${SLOT_INTS} * 4, ${SLOT_INTS});
const common = new Int32Array(commonBuffer);
// The same claim as claimChunk() in matmul-worker-source.ts, written out as text.
function claimChunk(common, job, count) {
  for (;;) {
    const word = Atomics.load(common, ${COMMON.claim});
    if (word >>> ${JOB_SHIFT} !== job || (word & ${MAX_CHUNKS}) >= count) return -1;
    if (Atomics.compareExchange(common, ${COMMON.claim}, word, word + 1) === word) return word & ${MAX_CHUNKS};
  }
}
const exports = Object.assign({}, ...modules.map((module) => new WebAssembly.Instance(module, { env: { memory } }).exports));
const kernels = names.map((name) => exports[name]);
ready();
let seen = 0;
for (;;) {
  // Poll before sleeping: a futex wake-up costs ~60 us here (measured: a 0.19 ms matmul
  // took 0.16 ms split with sleeping only), more than a whole split loop kernel. While
  // the caller runs a step (ACTIVE) the next split is usually a few kernels away, so
  // poll up to ${ACTIVE_SPIN_MS} ms; otherwise only spinMs: an idle pool costs no CPU.
  for (let start = performance.now(); Atomics.load(ctrl, ${CONTROL.seq}) === seen; ) {
    const elapsed = performance.now() - start;
    if (elapsed >= spinMs && (Atomics.load(common, ${COMMON.active}) === 0 || elapsed >= ${ACTIVE_SPIN_MS})) break;
  }
  if (Atomics.load(common, ${COMMON.active}) === 0) {
    // Between steps: linger in short timed waits (see LINGER_MS); a job or a step's start ends it.
    for (const start = performance.now(); Atomics.load(ctrl, ${CONTROL.seq}) === seen && Atomics.load(common, ${COMMON.active}) === 0 && performance.now() - start < ${LINGER_MS}; ) {
      Atomics.wait(ctrl, ${CONTROL.seq}, seen, ${LINGER_WAIT_MS});
    }
    // A step started (pool.stepping): poll for its jobs.
    if (Atomics.load(ctrl, ${CONTROL.seq}) === seen && Atomics.load(common, ${COMMON.active}) !== 0) continue;
  }
  Atomics.wait(ctrl, ${CONTROL.seq}, seen);
  // Woken without a job: the caller starting a step (pool.stepping), so poll again.
  if (Atomics.load(ctrl, ${CONTROL.seq}) === seen) continue;
  seen = Atomics.load(ctrl, ${CONTROL.seq});
  if (Atomics.load(ctrl, ${CONTROL.quit}) !== 0) break;
  const job = seen;
  const plan = plans[ctrl[${CONTROL.plan}]];
  const chunks = plan.chunks;
  const args = new Array(plan.pointers + plan.floats + 1);
  for (let f = 0; f < plan.floats; f++) args[plan.pointers + f] = ctrlFloats[${ARGS} + plan.pointers + f];
  args[plan.pointers + plan.floats] = scratch;
  for (let i = claimChunk(common, job, chunks.length); i >= 0; i = claimChunk(common, job, chunks.length)) {
    const chunk = chunks[i];
    for (let p = 0; p < plan.pointers; p++) args[p] = ctrl[${ARGS} + p] + chunk[1 + p];
    try {
      kernels[chunk[0]].apply(null, args);
    } catch (error) {
      Atomics.store(ctrl, ${CONTROL.failed}, job);
    }
    ctrl[${CONTROL.chunksRun}]++;
    Atomics.add(common, ${COMMON.done}, 1);
    Atomics.notify(common, ${COMMON.done});
  }
}
}
`;

/** Node's worker: `new Worker(workerSource, { eval: true, workerData })`. */
export const workerSource = `${workerLoopSource}
const { parentPort, workerData } = require("node:worker_threads");
poolWorker(workerData, () => parentPort.postMessage("ready"));
`;
