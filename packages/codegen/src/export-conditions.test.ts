import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

const here = new URL("..", import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), "gradfold-conditions-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Bundles `import * as m from "<specifier>"` as a user's bundler would; returns the files it pulled in and the bundle's path. */
async function bundle(specifier: string, platform: "browser" | "node", contents = `export * from ${JSON.stringify(specifier)};`) {
  const file = join(out, `${platform}-${specifier.replaceAll(/\W/g, "_")}.mjs`);
  const result = await build({
    stdin: { contents, resolveDir: here, loader: "ts" },
    bundle: true,
    format: "esm",
    platform,
    // "source": the workspace's TypeScript, as everywhere in this repo (the built package resolves the same way to dist/).
    conditions: ["source"],
    outfile: file,
    metafile: true,
    logLevel: "silent",
  });
  return { file, inputs: Object.keys(result.metafile.inputs) };
}

describe("export conditions: each platform gets its own pool", () => {
  it("@gradfold/codegen/threads is the Web Worker pool in a browser bundle, with nothing of Node in it", async () => {
    const { inputs } = await bundle("@gradfold/codegen/threads", "browser");
    expect(inputs).toContain("src/browser.ts");
    expect(inputs).toContain("src/wasm/pool-browser.ts");
    expect(inputs.some((f) => f.includes("matmul-pool.ts") || f.startsWith("node:"))).toBe(false);
  });

  it("@gradfold/codegen/threads is the worker_threads pool for Node", async () => {
    const { inputs } = await bundle("@gradfold/codegen/threads", "node");
    expect(inputs).toContain("src/node.ts");
    expect(inputs).toContain("src/wasm/matmul-pool.ts");
  });

  it("a browser bundle of @gradfold/codegen/node fails at import time, naming what to import instead", async () => {
    // As a user writes it: the bundle builds (every name exists), and its import throws our message.
    const { file, inputs } = await bundle("@gradfold/codegen/node", "browser", 'import { compileThreaded } from "@gradfold/codegen/node";\nexport const f = compileThreaded;');
    expect(inputs).not.toContain("src/wasm/matmul-pool.ts");
    await expect(import(pathToFileURL(file).href)).rejects.toThrow(/cannot run in a browser: import \{ compileThreaded \} from "@gradfold\/codegen\/threads"/);
  });

  it("the main entry stays free of Node modules in a browser bundle", async () => {
    const { inputs } = await bundle("@gradfold/codegen", "browser");
    expect(inputs.some((f) => f.startsWith("node:") || f.includes("matmul-pool"))).toBe(false);
  });
});

describe("the platform entries", () => {
  it("./node, ./browser and the browser guard export the same names, so /threads means one API everywhere", async () => {
    const names = async (m: Promise<object>) => Object.keys(await m).sort();
    const node = await names(import("./node.ts"));
    expect(node).toEqual(["compileThreaded", "createMatmulPool"]);
    expect(await names(import("./browser.ts"))).toEqual(node);
    // The guard throws on import, so its names are read from its source.
    const guard = readFileSync(new URL("./node-in-browser.ts", import.meta.url), "utf8");
    expect([...guard.matchAll(/^export function (\w+)/gm)].map((m) => m[1]).sort()).toEqual(node);
  });
});
