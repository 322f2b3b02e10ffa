/**
 * The body of a pool worker, as plain JavaScript evaluated by `new Worker(…, { eval: true })`
 * (so it runs the same from TypeScript sources, the built package, or a bundle).
 *
 * It instantiates the kernels' module against the shared memory, reports "ready",
 * then serves jobs from its slot of the control array without returning to its event
 * loop: wait for `seq` to change, run kernel `kernel` on (a, b, c, bias), publish
 * `done = seq` (or the error), notify. `quit` ends the loop.
 */
export const CONTROL = { seq: 0, kernel: 1, a: 2, b: 3, c: 4, bias: 5, done: 6, quit: 7, failed: 8 } as const;
export const SLOT_INTS = 16;

export const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, memory, control, slot, names } = workerData;
const ctrl = new Int32Array(control, slot * ${SLOT_INTS} * 4, ${SLOT_INTS});
const instance = new WebAssembly.Instance(module, { env: { memory } });
const kernels = names.map((name) => instance.exports[name]);
parentPort.postMessage("ready");
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${CONTROL.seq}, seen);
  seen = Atomics.load(ctrl, ${CONTROL.seq});
  if (Atomics.load(ctrl, ${CONTROL.quit}) !== 0) break;
  try {
    kernels[ctrl[${CONTROL.kernel}]](ctrl[${CONTROL.a}], ctrl[${CONTROL.b}], ctrl[${CONTROL.c}], ctrl[${CONTROL.bias}]);
    ctrl[${CONTROL.failed}] = 0;
  } catch (error) {
    ctrl[${CONTROL.failed}] = 1;
  }
  Atomics.store(ctrl, ${CONTROL.done}, seen);
  Atomics.notify(ctrl, ${CONTROL.done});
}
`;
