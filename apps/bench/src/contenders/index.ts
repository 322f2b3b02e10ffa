import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import type { Contender } from "../contender.ts";
import { gradfoldThreadedContender } from "./gradfold-threaded.ts";
import { gradfoldContender } from "./gradfold.ts";
import { jaxContender } from "./jax.ts";
import { referenceContender } from "./reference.ts";
import { tfjsContender } from "./tfjs.ts";

/** Where tfjs-backend-wasm's binaries are installed (Node reads them from disk). */
export function tfjsWasmDir(): string {
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"))}/`;
}

/**
 * Every contender by its command-line id; gradfold (its default: every core) first, as
 * the baseline of the ratios, and gradfold-1t (one thread) beside it.
 */
export const contenders: Readonly<Record<string, () => Contender>> = {
  gradfold: () => gradfoldThreadedContender(availableParallelism(), "gradfold"),
  "gradfold-1t": () => gradfoldContender(),
  "gradfold-js": () => gradfoldContender("js"),
  "gradfold-wasm": () => gradfoldContender("wasm"),
  "gradfold-2t": () => gradfoldThreadedContender(2),
  "jax-js": () => jaxContender,
  "tfjs-wasm": () => tfjsContender("wasm", tfjsWasmDir()),
  "tfjs-cpu": () => tfjsContender("cpu", tfjsWasmDir()),
  reference: () => referenceContender,
};

export const defaultContenders = ["gradfold", "gradfold-1t", "jax-js", "tfjs-wasm", "tfjs-cpu"] as const;
