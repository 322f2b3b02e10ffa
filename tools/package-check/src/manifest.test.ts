import { describe, expect, it } from "vitest";
import { publishedPackages } from "./packages.ts";

describe("package manifests", () => {
  for (const pkg of publishedPackages()) {
    it(`${pkg.name} is publishable ESM with types first`, () => {
      const m = pkg.manifest as Record<string, any>;
      expect(m.type).toBe("module");
      expect(m.sideEffects).toBe(false);
      expect(m.license).toBe("MIT");
      expect(m.version).toMatch(/^0\.\d+\.\d+/);
      expect(m.engines?.node).toBeTruthy();
      for (const entry of Object.values(m.exports as Record<string, Record<string, string>>)) {
        expect(Object.keys(entry).filter((k) => k !== "source")[0]).toBe("types");
      }
      expect(m.files).toContain("dist");
      expect(m.publishConfig?.access).toBe("public");
    });
  }
});
