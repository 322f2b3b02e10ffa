/**
 * The slice of the WebAssembly JS API this backend uses, typed locally: the
 * project's TypeScript libs (ES2023 + @types/node 20) declare no `WebAssembly`
 * values, and pulling in lib.dom for it would leak browser globals into every
 * package. Structural types, so lib.dom's own `WasmMemory` is assignable.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}

/** A compiled module; opaque, but clonable to worker threads. */
export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  RuntimeError: new (message?: string) => Error;
  validate(bytes: Uint8Array): boolean;
}

/** The engine's `WebAssembly` namespace object. */
export const wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Whether a memory is backed by a SharedArrayBuffer (false where that type does not exist). */
export function isSharedMemory(memory: WasmMemory): boolean {
  return typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
}
