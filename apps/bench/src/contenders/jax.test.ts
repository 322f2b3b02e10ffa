import { afterEach, describe, expect, it, vi } from "vitest";
import { jaxThreads } from "./jax.ts";

describe("jaxThreads: the threads jax-js's Wasm backend splits its kernels over", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("is one in Node, which has no Worker global", () => {
    expect(typeof (globalThis as { Worker?: unknown }).Worker).toBe("undefined");
    expect(jaxThreads()).toBe(1);
  });

  it("is the page's hardwareConcurrency where SharedArrayBuffer and Worker exist (a cross-origin isolated page), 4 when unknown", () => {
    vi.stubGlobal("Worker", class {});
    vi.stubGlobal("navigator", { hardwareConcurrency: 2 });
    expect(jaxThreads()).toBe(2);
    vi.stubGlobal("navigator", { hardwareConcurrency: 0 });
    expect(jaxThreads()).toBe(4);
  });

  it("is one without SharedArrayBuffer (a page that is not cross-origin isolated)", () => {
    vi.stubGlobal("Worker", class {});
    vi.stubGlobal("navigator", { hardwareConcurrency: 8 });
    vi.stubGlobal("SharedArrayBuffer", undefined);
    expect(jaxThreads()).toBe(1);
  });
});
