import type { Contender } from "../contender.ts";
import { gradfoldThreadedContender } from "../contenders/gradfold-threaded.ts";
import { gradfoldContender } from "../contenders/gradfold.ts";
import { jaxContender } from "../contenders/jax.ts";
import { tfjsContender } from "../contenders/tfjs.ts";
import { web } from "./web.ts";

/** tfjs-backend-wasm's binaries, as the bench server serves them. */
const tfjsWasmUrl = () => new URL("/tfjs/", web.location.href).href;

/**
 * The contenders in Chromium, by the same ids as in Node. gradfold's (every core the
 * page reports) `@gradfold/codegen/threads` resolves to the Web Worker pool in this bundle (browser
 * condition); tfjs-wasm loads its binaries from the bench server, and on this cross-origin
 * isolated page picks its threaded SIMD build, as its users' pages do.
 */
export const browserContenders: Readonly<Record<string, () => Contender>> = {
  gradfold: () => gradfoldThreadedContender((globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2, "gradfold"),
  "gradfold-1t": () => gradfoldContender(),
  "gradfold-2t": () => gradfoldThreadedContender(2),
  "jax-js": () => jaxContender,
  "tfjs-wasm": () => tfjsContender("wasm", tfjsWasmUrl()),
  "tfjs-cpu": () => tfjsContender("cpu", tfjsWasmUrl()),
};
