import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, test } from "vitest";
import { main } from "../test/readme-example.ts";

/** A headless Chromium on PATH, if this machine has one. */
const chromium = ["chromium", "chromium-browser", "google-chrome"].find((bin) => {
  try {
    execFileSync(bin, ["--version"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
});

describe.runIf(chromium)("the same fit in Node and in Chromium (runs where a chromium binary is on PATH)", () => {
  test("the README example's loss curve, status, evaluation and prediction agree", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gradfold-train-browser-"));
    try {
      const bundle = await build({
        entryPoints: [join(import.meta.dirname, "../test/browser-entry.ts")],
        bundle: true,
        platform: "browser",
        format: "esm",
        write: false,
        conditions: ["source"],
        logLevel: "silent",
      });
      // Inline, so file:// needs no server for a module script.
      writeFileSync(join(dir, "index.html"), `<html><body></body><script type="module">${bundle.outputFiles[0].text.replaceAll("</script", "<\\/script")}</script></html>`);
      const dom = execFileSync(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=120000", "--dump-dom", `file://${join(dir, "index.html")}`], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
        timeout: 120_000,
      });
      const browser = JSON.parse(/<body>(.*)<\/body>/s.exec(dom)![1]);
      const node = main(() => {});
      // Our own arithmetic (shuffles, masks, batching) is integer-exact; the kernels call
      // Math.exp/Math.log, whose last float64 bit differs between V8 versions, so the
      // float32 losses may differ in their last bit or so.
      expect(browser.status).toBe(node.history.status);
      expect(browser.losses).toHaveLength(node.history.epochs.length);
      node.history.epochs.forEach((e, i) => {
        expect(Math.abs(browser.losses[i] - e.loss)).toBeLessThanOrEqual(1e-6 * e.loss);
      });
      expect(browser.result.rows).toBe(node.result.rows);
      expect(browser.result.metrics).toEqual(node.result.metrics);
      expect(Math.abs(browser.result.loss - node.result.loss!)).toBeLessThanOrEqual(1e-6 * node.result.loss!);
      for (const [i, v] of Array.from(node.one).entries()) expect(Math.abs(browser.one[i] - v)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v)));
      // fitAsync in the page (pausing at every batch through MessageChannel messages) trains exactly as fit.
      expect(browser.asyncStatus).toBe("completed");
      expect(browser.asyncLosses).toHaveLength(3);
      expect(browser.asyncLosses).toEqual(browser.syncLosses);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
