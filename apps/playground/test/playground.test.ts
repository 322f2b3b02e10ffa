import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, openPage, screenshot } from "./browser.ts";
import { serveStatic } from "./serve.ts";

const app = fileURLToPath(new URL("..", import.meta.url));
const shots = `${app}screenshots`;
// A screenshot's luminance variance: a blank page is 0; a view with text and plots is in the hundreds or more.
const notBlank = 100;

let browser: Browser;
let server: Awaited<ReturnType<typeof serveStatic>>;

beforeAll(async () => {
  const outDir = `${app}dist`;
  rmSync(outDir, { recursive: true, force: true });
  await build({ root: app, logLevel: "warn", build: { outDir } });
  server = await serveStatic(outDir);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens a view and hands it to `check`; afterwards the page must have logged no errors and its screenshot must not be blank. */
async function onView(id: string, check: (page: Page) => Promise<void>) {
  const { page, errors } = await openPage(browser, `${server.url}#${id}`);
  try {
    await page.waitForSelector(`[data-testid=view-${id}]`);
    await check(page);
    expect(await screenshot(page, shots, id)).toBeGreaterThan(notBlank);
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
}

const validation = async (page: Page) => ({
  accuracy: await page.textContent("[data-testid=val-accuracy]"),
  loss: await page.getAttribute("[data-testid=val-accuracy]", "data-loss"),
});

const number = async (page: Page, selector: string, attribute: string) => Number(await page.getAttribute(selector, attribute));

describe("playground in Chromium", () => {
  it("is cross-origin isolated behind COOP/COEP and says so", async () => {
    const { page, errors } = await openPage(browser, server.url);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.textContent("[data-testid=isolation]")).toMatch(/^Cross-origin isolated/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("says when it is not cross-origin isolated, and still trains", async () => {
    const plain = await serveStatic(`${app}dist`, false);
    try {
      const { page, errors } = await openPage(browser, `${plain.url}#race`);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      expect(await page.textContent("[data-testid=isolation]")).toMatch(/^Not cross-origin isolated .* SharedArrayBuffer is off/);
      await page.waitForSelector("[data-testid=race-status][data-state=done]", { timeout: 60_000 });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await plain.close();
    }
  });

  // The isolated MNIST run's final validation numbers, which the one-thread run must match bit for bit.
  let threadedValidation: { accuracy: string | null; loss: string | null } | undefined;

  it("trains MNIST in a worker on every core (up to 4) past 85% validation accuracy, then classifies a drawn digit", async () => {
    await onView("mnist", async (page) => {
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      expect(cores).toBeGreaterThan(1);
      const threads = `${Math.min(4, cores)} threads`;
      expect(await page.textContent("[data-testid=mnist-threads]")).toBe(threads);
      await page.fill("[data-testid=steps]", "300");
      await page.click("[data-testid=train]");
      await page.waitForSelector("[data-testid=mnist-status][data-state=done]", { timeout: 120_000 });
      expect(await page.textContent("[data-testid=mnist-threads]")).toBe(threads);
      threadedValidation = await validation(page);
      expect(Number(threadedValidation.accuracy)).toBeGreaterThan(0.85);
      expect(await page.textContent("[data-testid=examples-per-second]")).toMatch(/^[\d,]+ examples\/s$/);

      // A synthetic stroke: a "7" (a bar, then a diagonal down to the left).
      const box = (await page.locator("[data-testid=digit-pad]").boundingBox())!;
      const at = (x: number, y: number) => [box.x + x * box.width, box.y + y * box.height] as const;
      await page.mouse.move(...at(0.25, 0.2));
      await page.mouse.down();
      for (const [x, y] of [
        [0.75, 0.2],
        [0.6, 0.5],
        [0.45, 0.85],
      ] as const)
        await page.mouse.move(...at(x, y), { steps: 8 });
      await page.mouse.up();
      await page.waitForSelector("[data-testid=predicted-digit][data-digit]");
      const probabilities = await page.locator("[data-testid=probabilities] [data-probability]").evaluateAll((bars) => bars.map((b) => Number(b.getAttribute("data-probability"))));
      expect(probabilities).toHaveLength(10);
      expect(probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 2);
      expect(Math.max(...probabilities)).toBe(probabilities[Number(await page.getAttribute("[data-testid=predicted-digit]", "data-digit"))]);

      // A long run stops on request, after the steps done so far, with its model kept for drawing.
      // Its training and validation steps each own a pool of Web Workers (Blob URLs) beside
      // the view's worker; a run that is replaced or stopped leaves none behind.
      const poolWorkers = () => page.workers().filter((w) => w.url().startsWith("blob:")).length;
      const perRun = 2 * (Math.min(4, cores) - 1);
      const longRun = async () => {
        await page.click("[data-testid=train]");
        await page.waitForFunction(() => /^step \d+/.test(document.querySelector("[data-testid=mnist-status]")?.textContent ?? ""), undefined, { timeout: 60_000 });
      };
      await expect.poll(poolWorkers).toBe(0);
      await page.fill("[data-testid=steps]", "100000");
      await longRun();
      await longRun();
      await expect.poll(poolWorkers).toBe(perRun);
      await page.click("[data-testid=stop]");
      await page.waitForSelector("[data-testid=mnist-status][data-state=done]", { timeout: 30_000 });
      expect(await page.textContent("[data-testid=mnist-status]")).toMatch(/^stopped after \d+ steps/);
      await expect.poll(poolWorkers).toBe(0);
    });
  });

  it("trains MNIST on one thread when not isolated, says so, and ends with the threaded run's numbers bit for bit", async () => {
    expect(threadedValidation).toBeDefined();
    const plain = await serveStatic(`${app}dist`, false);
    try {
      const { page, errors } = await openPage(browser, `${plain.url}#mnist`);
      await page.fill("[data-testid=steps]", "300");
      await page.click("[data-testid=train]");
      await page.waitForSelector("[data-testid=mnist-status][data-state=done]", { timeout: 120_000 });
      expect(await page.textContent("[data-testid=mnist-threads]")).toBe("1 thread: page not cross-origin isolated");
      expect(await page.getAttribute("[data-testid=mnist-threads]", "class")).toBe("warn");
      expect(await validation(page)).toEqual(threadedValidation);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await plain.close();
    }
  });

  it("falls back to one thread, and says why, when the page may not start the pool's Blob workers", async () => {
    const strict = await serveStatic(`${app}dist`, true, { "Content-Security-Policy": "worker-src 'self'" });
    try {
      const { page } = await openPage(browser, `${strict.url}#mnist`);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      await page.fill("[data-testid=steps]", "30");
      await page.click("[data-testid=train]");
      await page.waitForSelector("[data-testid=mnist-status][data-state=done]", { timeout: 60_000 });
      expect(await page.textContent("[data-testid=mnist-threads]")).toMatch(/^1 thread: the worker pool did not start \(.+\)$/);
      expect(page.workers().filter((w) => w.url().startsWith("blob:"))).toEqual([]);
      await page.close();
    } finally {
      await strict.close();
    }
  });

  it("shows the backward pass one gradient at a time", async () => {
    await onView("backprop", async (page) => {
      expect(await page.locator("[data-testid=backprop-graph] rect").count()).toBeGreaterThan(10);
      await page.click("[data-testid=backward-step]");
      await page.click("[data-testid=backward-step]");
      expect(await page.locator("[data-testid=backward-steps] li").count()).toBe(2);
      await page.click("[data-testid=backward-all]");
      const steps = await page.locator("[data-testid=backward-steps] li").allTextContents();
      expect(steps[0]).toMatch(/= \[1\.000\] from the seed/);
      expect(steps.some((s) => /computed once, reused for the gradients of/.test(s))).toBe(true);
      expect(steps.some((s) => s.startsWith("∂L/∂W1 = ["))).toBe(true);
    });
  });

  it("races the optimizers: Adam and momentum end near the quadratic's minimum", async () => {
    await onView("race", async (page) => {
      await page.waitForSelector("[data-testid=race-status][data-state=done]", { timeout: 60_000 });
      for (const name of ["adam", "momentum"]) expect(await number(page, `td[data-optimizer=${name}]`, "data-distance")).toBeLessThan(0.1);
      // Plain SGD, limited by the steep direction, is still well behind Adam.
      expect(await number(page, "td[data-optimizer=sgd]", "data-distance")).toBeGreaterThan(10 * (await number(page, "td[data-optimizer=adam]", "data-distance")));
    });
  });

  it("shows the sigmoid stack's first-layer gradient orders of magnitude below the residual one's", async () => {
    await onView("gradients", async (page) => {
      const firstLayerNorm = async () => {
        await page.fill("[data-testid=depth-steps]", "30");
        await page.click("[data-testid=train-depth]");
        await page.waitForSelector("[data-testid=gradients-status][data-state=done]", { timeout: 60_000 });
        return number(page, "[data-testid=first-layer-norm]", "data-initial");
      };
      expect(await page.inputValue("[data-testid=activation]")).toBe("sigmoid");
      const plain = await firstLayerNorm();
      await page.check("[data-testid=residual]");
      const residual = await firstLayerNorm();
      expect(plain).toBeGreaterThan(0);
      expect(plain).toBeLessThan(residual / 1000);
    });
  });

  it("redraws decision regions while a network learns the spirals", async () => {
    await onView("regions", async (page) => {
      await page.waitForSelector("[data-testid=regions-status][data-state=done]", { timeout: 90_000 });
      expect(await number(page, "[data-testid=regions-status]", "data-test-accuracy")).toBeGreaterThan(0.8);
      // A malformed layer list is refused with what was expected, and nothing starts.
      await page.fill("[data-testid=layers]", "8, x");
      await page.click("[data-testid=train-regions]");
      expect(await page.textContent("[data-testid=regions-status].error")).toBe('hidden layers: expected widths from 1 to 256 separated by commas, got "x"');
      expect(await page.getAttribute("[data-testid=regions-status]", "data-state")).toBe("done");
      await page.fill("[data-testid=layers]", "16, 16");
      // The hinge loss (one ±1 score) with an L2 penalty learns the circles too.
      await page.selectOption("[data-testid=dataset]", "circles");
      await page.selectOption("[data-testid=loss]", "hinge");
      await page.fill("[data-testid=l2]", "0.0001");
      await page.fill("[data-testid=region-steps]", "400");
      await page.click("[data-testid=train-regions]");
      await page.waitForSelector("[data-testid=regions-status][data-state=done]", { timeout: 60_000 });
      expect(await number(page, "[data-testid=regions-status]", "data-test-accuracy")).toBeGreaterThan(0.8);
    });
  });

  it("shows explain()'s rules and the generated kernels of the current model", async () => {
    await onView("kernels", async (page) => {
      await page.waitForSelector("[data-testid=kernels-status][data-state=done]", { timeout: 60_000 });
      expect(await page.locator("[data-testid=rules] tr").count()).toBeGreaterThan(0);
      expect(await page.textContent("[data-testid=explain-text]")).toMatch(/rules fired:/);
      expect(((await page.textContent("[data-testid=kernel-source]")) ?? "").length).toBeGreaterThan(100);
    });
  });
});
