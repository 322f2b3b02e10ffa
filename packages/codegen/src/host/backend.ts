import type { Kernel } from "../lower/kernel.ts";
import type { KernelSource } from "../js/kernel-source.ts";

/**
 * A kernel backend, asked one kernel at a time: "can you lower this kernel whole, and
 * with what code?". The answer is the kernel's function (JS source, which may call
 * the backend's Wasm exports), or the reason it cannot. A backend never splits a kernel
 * or moves a buffer: the plan decided both.
 */
export interface KernelBackend {
  readonly name: "js" | "wasm";
  lower(kernel: Kernel): KernelSource | Cannot;
}

/** Why a backend does not take a kernel (shown when a backend is required and cannot). */
export interface Cannot {
  readonly cannot: string;
}

export const cannot = (reason: string): Cannot => ({ cannot: reason });
export const isCannot = (x: KernelSource | Cannot): x is Cannot => "cannot" in x;
