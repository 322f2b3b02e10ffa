import { describe, expect, it } from "vitest";
import { browserBundle } from "./bundle.ts";
import { publishedPackages } from "./packages.ts";

describe("every published package bundles for the browser", () => {
  for (const pkg of publishedPackages()) {
    it(`${pkg.name} builds with esbuild's browser platform and uses no Node API`, async () => {
      const { bytes, text } = await browserBundle(pkg);
      expect(bytes).toBeGreaterThan(100);
      expect(text).not.toMatch(/\bfrom\s*["']node:|require\(["'](fs|path|child_process|worker_threads)["']\)/);
    });
  }
});
