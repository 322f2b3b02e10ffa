import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import type { BrowserRequest, BrowserResult } from "./protocol.ts";
import { type BenchServer, serveBench } from "./serve.ts";

/** Debian's Chromium (apt install chromium); playwright-core drives it, downloading nothing. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const hasChromium = (): boolean => existsSync(chromiumPath);

export interface ChromiumBench {
  /** Runs a request in the page's bench Worker. */
  run<T extends BrowserResult>(request: BrowserRequest): Promise<T>;
  /** Runs a request on the page's main thread. */
  runOnPage<T extends BrowserResult>(request: BrowserRequest): Promise<T>;
  readonly version: string;
  close(): Promise<void>;
}

/**
 * Starts the bench server and headless Chromium on its page. Console lines from the
 * page and its Workers (progress) go to `log`.
 */
export async function openChromiumBench(log: (line: string) => void): Promise<ChromiumBench> {
  if (!hasChromium()) throw new Error(`no Chromium at ${chromiumPath} (apt install chromium, or set CHROMIUM_PATH)`);
  let server: BenchServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await serveBench();
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
    const page: Page = await browser.newPage();
    page.on("console", (message) => log(`  [chromium] ${message.text()}`));
    page.on("pageerror", (error) => log(`  [chromium] page error: ${error.message}`));
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as { benchReady?: boolean }).benchReady === true);
    const opened = { server, browser };
    return {
      version: browser.version(),
      run: (request) => page.evaluate((r) => (globalThis as unknown as { bench(r: unknown): Promise<never> }).bench(r), request),
      runOnPage: (request) => page.evaluate((r) => (globalThis as unknown as { benchOnPage(r: unknown): Promise<never> }).benchOnPage(r), request),
      async close() {
        await opened.browser.close();
        await opened.server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await server?.close();
    throw error;
  }
}
