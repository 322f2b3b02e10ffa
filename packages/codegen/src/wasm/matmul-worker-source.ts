/**
 * The body of a pool worker, as plain JavaScript evaluated by `new Worker(…, { eval: true })`
 * (so it runs the same from TypeScript sources, the built package, or a bundle).
 *
 * It instantiates the kernels' module against the shared memory, reports "ready",
 * then serves jobs from its slot of the control array without returning to its
 * event loop: wait for `seq` to change; for job `plan` on (a, b, c, bias), claim
 * chunks (of rows or columns) from the shared counter `NEXT` until none is left,
 * running each chunk's kernel at its shifted offsets; publish `done = seq`, notify. `quit` ends it.
 */
export const CONTROL = { seq: 0, plan: 1, a: 2, b: 3, c: 4, bias: 5, done: 6, quit: 7, failed: 8 } as const;
export const SLOT_INTS = 16;
/** Index (in the shared Int32Array `common`) of the next unclaimed chunk of the current job. */
export const NEXT = 0;

export const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, memory, control, common, slot, names, plans, scratch } = workerData;
const ctrl = new Int32Array(control, slot * ${SLOT_INTS} * 4, ${SLOT_INTS});
const next = new Int32Array(common);
const instance = new WebAssembly.Instance(module, { env: { memory } });
const kernels = names.map((name) => instance.exports[name]);
parentPort.postMessage("ready");
let seen = 0;
for (;;) {
  // No spinning before sleeping: on a loaded machine a spinning worker steals the
  // caller's core (measured: 2× slower small calls), and a futex wake-up is small
  // next to the ≥ 1 ms matmuls worth splitting.
  Atomics.wait(ctrl, ${CONTROL.seq}, seen);
  seen = Atomics.load(ctrl, ${CONTROL.seq});
  if (Atomics.load(ctrl, ${CONTROL.quit}) !== 0) break;
  const chunks = plans[ctrl[${CONTROL.plan}]];
  const a = ctrl[${CONTROL.a}], b = ctrl[${CONTROL.b}], c = ctrl[${CONTROL.c}], bias = ctrl[${CONTROL.bias}];
  ctrl[${CONTROL.failed}] = 0;
  try {
    for (let i = Atomics.add(next, ${NEXT}, 1); i < chunks.length; i = Atomics.add(next, ${NEXT}, 1)) {
      const chunk = chunks[i];
      kernels[chunk[0]](a + chunk[1], b + chunk[2], c + chunk[3], bias + chunk[4], scratch);
    }
  } catch (error) {
    ctrl[${CONTROL.failed}] = 1;
  }
  Atomics.store(ctrl, ${CONTROL.done}, seen);
  Atomics.notify(ctrl, ${CONTROL.done});
}
`;
