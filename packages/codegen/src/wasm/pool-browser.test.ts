import { describe, expect, it } from "vitest";
import { createMatmulPool } from "./pool-browser.ts";
import { wasm } from "./wasm-api.ts";

// The pool itself runs in Chromium in apps/bench's browser test (bit-identical to one thread).
describe("the Web Worker pool outside a browser", () => {
  const specs = [{ name: "mm", variant: "nn" as const, m: 64, k: 32, n: 32 }];

  it("says where the Node pool is when there is no Worker constructor", async () => {
    const memory = new wasm.Memory({ initial: 1, maximum: 1, shared: true });
    await expect(createMatmulPool(specs, memory)).rejects.toThrow(/no Worker constructor \(in Node, import from @gradfold\/codegen\/node\)/);
  });

  it("needs no Worker when it has no workers (caller only), and rejects an unshared memory first", async () => {
    const shared = new wasm.Memory({ initial: 1, maximum: 1, shared: true });
    const pool = await createMatmulPool(specs, shared, { workers: 0 });
    expect(pool.splits.size).toBe(0);
    await pool.close();
    await expect(createMatmulPool(specs, new wasm.Memory({ initial: 1 }), { workers: 0 })).rejects.toThrow(/must be shared/);
  });
});
