import { execFile } from "node:child_process";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { importCycles, importGraph, moduleFiles } from "./testing/import-graph.ts";

const here = dirname(fileURLToPath(import.meta.url));
const roots = { codegen: here, graph: resolve(here, "../../graph/src") };

/** Imports `file` first in a fresh Node process (TypeScript through tsx); resolves to the error text, or "" when it loads. */
function importFirst(file: string): Promise<string> {
  const code = `await import(${JSON.stringify(pathToFileURL(file).href)});`;
  return new Promise((done) => {
    execFile(process.execPath, ["--import", "tsx", "--conditions=source", "--input-type=module", "-e", code], { cwd: here, timeout: 60_000 }, (error, _out, stderr) => {
      done(error ? (stderr.split("\n").find((l) => /Error/.test(l)) ?? String(error)) : "");
    });
  });
}

/** Runs `task` over `items`, `width` at a time. */
async function pooled<T, R>(items: readonly T[], width: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return out;
}

describe("no load-order traps", () => {
  it("codegen's modules import one another without a cycle (type-only imports aside)", () => {
    expect(importCycles(importGraph(moduleFiles(roots.codegen)), roots.codegen)).toEqual([]);
  });

  // graph's ops refer to one another inside VJP closures (a cycle that is safe, as nothing
  // is read at load time); what matters is that every module loads when imported first.
  it("every module of graph and codegen loads when a fresh process imports it first", async () => {
    // node-in-browser.ts is what `@gradfold/codegen/node` resolves to under the browser
    // condition: it throws at import on purpose (export-conditions.test.ts checks that).
    const files = [...moduleFiles(roots.graph), ...moduleFiles(roots.codegen)].filter((f) => !f.endsWith("node-in-browser.ts"));
    const errors = await pooled(files, 3, importFirst);
    const failed = files.map((f, i) => [relative(resolve(here, "../.."), f), errors[i]]).filter(([, e]) => e !== "");
    expect(failed).toEqual([]);
    expect(files.length).toBeGreaterThan(80);
  }, 300_000);
});
