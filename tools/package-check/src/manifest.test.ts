import { describe, expect, it } from "vitest";
import { publishedPackages } from "./packages.ts";

describe("package manifests", () => {
  for (const pkg of publishedPackages()) {
    it(`${pkg.name} is publishable ESM with types first`, () => {
      const m = pkg.manifest as Record<string, any>;
      expect(m.type).toBe("module");
      // Tree-shakable: no module has side effects, except codegen's guard that throws when a
      // browser bundle imports the Node pool (its throw is the point, so bundlers must keep it).
      if (pkg.name === "@gradfold/codegen") expect(m.sideEffects).toEqual(["./src/node-in-browser.ts", "./dist/node-in-browser.js"]);
      else expect(m.sideEffects).toBe(false);
      expect(m.license).toBe("MIT");
      expect(m.version).toMatch(/^0\.\d+\.\d+/);
      expect(m.engines?.node).toBeTruthy();
      // In every condition object (nested ones such as `browser` included) `types` comes first among the file targets.
      const typesFirst = (entry: Record<string, unknown>) => {
        const targets = Object.keys(entry).filter((k) => k !== "source" && typeof entry[k] === "string");
        expect(targets[0]).toBe("types");
        for (const nested of Object.values(entry)) if (typeof nested === "object" && nested !== null) typesFirst(nested as Record<string, unknown>);
      };
      for (const entry of Object.values(m.exports as Record<string, Record<string, unknown>>)) typesFirst(entry);
      expect(m.files).toContain("dist");
      expect(m.publishConfig?.access).toBe("public");
    });
  }
});
