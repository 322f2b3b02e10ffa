/**
 * What `@gradfold/codegen/node` resolves to under the `browser` condition: an error at
 * import time that names the entry to use instead. Without it a browser bundle pulls
 * in `node:worker_threads` and fails only when a step starts (seen in a Vite build:
 * "Worker is not a constructor"). Listed in package.json's `sideEffects`, so that
 * bundlers keep the throw; the exports exist only so that bundling itself succeeds
 * and the user sees this message rather than "no matching export".
 */
const message =
  "@gradfold/codegen/node is for Node (worker_threads) and cannot run in a browser: import { compileThreaded } " +
  'from "@gradfold/codegen/threads" (Node or browser, chosen by export conditions) or ' +
  '"@gradfold/codegen/browser" instead';

export function compileThreaded(): never {
  throw new Error(message);
}

export function createMatmulPool(): never {
  throw new Error(message);
}

throw new Error(message);
