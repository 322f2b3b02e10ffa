/**
 * The slice of the browser's globals the bench uses inside Chromium, typed locally:
 * the project's TypeScript libs declare no DOM (see codegen's wasm-api.ts for the
 * same reason).
 */
export interface WebWorker {
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
  postMessage(data: unknown): void;
  terminate(): void;
}

export interface WebGlobals {
  Worker: new (url: string, options?: { type?: "module" | "classic"; name?: string }) => WebWorker;
  location: { href: string };
  navigator: { userAgent: string; hardwareConcurrency: number };
  crossOriginIsolated: boolean;
}

export const web = globalThis as unknown as WebGlobals;

/** A classic Worker running `source` (text), from a Blob URL. */
export function blobWorker(source: string, name: string): WebWorker {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = new web.Worker(url, { name });
  // The worker has fetched its script once it runs; revoking later frees the Blob.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return worker;
}
