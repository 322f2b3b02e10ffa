import type { KernelBackend } from "../host/backend.ts";
import { kernelSource, type KernelEnv } from "./kernel-source.ts";

/** The JS backend: a template for every kernel kind, so it takes every kernel. */
export function jsBackend(env: KernelEnv): KernelBackend {
  return { name: "js", lower: (kernel) => kernelSource(kernel, env) };
}
