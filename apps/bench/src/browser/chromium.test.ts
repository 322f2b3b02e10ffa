import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyConfig } from "../configs.ts";
import { gradfoldContender } from "../contenders/gradfold.ts";
import { referenceContender } from "../contenders/reference.ts";
import { makeProblem } from "../problem.ts";
import { type ContenderRun, runConfig } from "../run-config.ts";
import { type ChromiumBench, chromiumPath, hasChromium, openChromiumBench } from "./chromium.ts";
import type { BrowserEnv, PoolCheck } from "./protocol.ts";

const config = { ...tinyConfig("adam"), batch: 33 };
const options = { warmup: 0, steps: 2, budgetMs: 5_000, lossSteps: 4 };

/**
 * One tiny config in headless Chromium, as `pnpm bench` runs it there, checked against
 * Node: same init and data, so the same losses (to float rounding: Chromium's kernels
 * use FMA, Node's cannot). No timing is asserted.
 */
describe.skipIf(!hasChromium())(`the bench in Chromium (skipped when ${chromiumPath} is absent)`, () => {
  let browser: ChromiumBench;
  beforeAll(async () => {
    browser = await openChromiumBench(() => {});
  }, 60_000);
  afterAll(() => browser?.close());

  it("runs on a cross-origin isolated page whose engine has relaxed SIMD", async () => {
    const env = await browser.run<BrowserEnv>({ kind: "env" });
    expect(env.crossOriginIsolated).toBe(true);
    expect(env.relaxedSimd).toBe(true);
  });

  it("every contender's losses agree with Node's gradfold and the float64 reference; gradfold (threads) is bit-identical to gradfold-1t", async () => {
    const contenders = ["gradfold", "gradfold-1t", "jax-js", "tfjs-wasm", "tfjs-cpu"];
    const runs = await browser.run<ContenderRun[]>({ kind: "config", config, seed: 7, contenders, ...options });
    const node = await runConfig(makeProblem(config, 7), [gradfoldContender(), referenceContender], { ...options, log: () => {} });
    const [nodeGradfold, reference] = node.map((r) => r.losses);
    expect(reference).toHaveLength(4);
    expect(runs.map((r) => [r.id, r.error])).toEqual(contenders.map((id) => [id, undefined]));
    for (const run of runs) {
      expect(run.losses).toHaveLength(4);
      expect(run.samples.length).toBeGreaterThan(0);
      for (let i = 0; i < 4; i++) {
        expect(run.losses[i]).toBeCloseTo(reference[i], 4);
        expect(run.losses[i]).toBeCloseTo(nodeGradfold[i], 4);
      }
    }
    const byId = (id: string) => runs.find((r) => r.id === id)!;
    expect(byId("gradfold").losses).toEqual(byId("gradfold-1t").losses);
    // Here jax-js splits its kernels over a worker pool, as it does for its users (Node: one thread).
    expect(byId("jax-js").notes.join("\n")).toMatch(/a Wasm worker pool of \d+ threads/);
  });

  it.each([
    ["in the bench Worker (the caller sleeps in Atomics.wait)", "worker", (b: ChromiumBench) => b.run<PoolCheck>({ kind: "pool-check" })],
    ["on the page's main thread (the caller spins)", "main thread", (b: ChromiumBench) => b.runOnPage<PoolCheck>({ kind: "pool-check" })],
  ])("the browser pool splits matmuls and loops across a Web Worker bit-identically to one thread, %s", async (_, where, run) => {
    const check = await run(browser);
    expect(check.where).toBe(where);
    expect(check.workerChunks).toBeGreaterThan(0);
    expect(check.kernelsIdentical).toBe(true);
    expect(check.stepsIdentical).toBe(true);
    expect(check.losses).toHaveLength(4);
    expect(check.losses[3]).toBeLessThan(check.losses[0]);
    expect(check.loopKernels).toBeGreaterThanOrEqual(3);
    expect(check.loopWorkerChunks).toBeGreaterThan(0);
    expect(check.loopStepsIdentical).toBe(true);
  });
});
