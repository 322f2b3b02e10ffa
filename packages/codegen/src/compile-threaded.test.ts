import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import { compileThreaded } from "./node.ts";
import { mlpStep, randomF32, randomLabels, rng } from "./testing/mlp.ts";

describe("compileThreaded: matmuls split across a worker over a shared arena", () => {
  it("is bit-identical to compile() over several Adam steps", async () => {
    const { spec } = mlpStep({ sizes: [64, 48, 10], optimizer: "adam", seed: 2 });
    const sizes = { batch: 32 };
    const single = compile({ ...spec, sizes });
    // A low threshold so even these small matmuls are split.
    const threaded = await compileThreaded({ ...spec, sizes }, { threads: 2, minFlops: 1e4 });
    try {
      expect(threaded.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
      const random = rng(4);
      for (let s = 0; s < 3; s++) {
        const feeds = { x: randomF32(32 * 64, random), y: randomLabels(32, 10, random) };
        expect(threaded.run(feeds).loss[0]).toBe(single.run(feeds).loss[0]);
        for (const name of single.names()) expect(Array.from(threaded.read(name))).toEqual(Array.from(single.read(name)));
      }
      expect(threaded.read("W1")).not.toBeInstanceOf(SharedArrayBuffer);
    } finally {
      await threaded.close();
    }
  });
});
