import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { expect, test } from "vitest";
import { main } from "../test/readme-example.ts";

test("README example: fit, evaluate, predict and weights without any name syncing", () => {
  const lines: string[] = [];
  const { history, result, one, copied } = main((...args) => lines.push(args.join(" ")));
  expect(history.epochs.length).toBeGreaterThan(3);
  expect(history.epochs[history.epochs.length - 1].loss).toBeLessThan(history.epochs[0].loss);
  expect(result.rows).toBe(250);
  expect(result.metrics.accuracy).toBeGreaterThan(0.9);
  expect(one).toHaveLength(3);
  expect(copied).toEqual(one);
  expect(lines[0]).toMatch(/^epoch 0: loss \d/);
});

/** The first ts block under the root README's "## A taste", as written there. */
function taste(): string {
  const readme = readFileSync(join(import.meta.dirname, "../../../README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## A taste"));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (code === undefined) throw new Error("README.md: no ts block under ## A taste");
  return code;
}

test("the root README's taste runs as written: define, compileModel, fit, evaluate, predict, saveWeights", async () => {
  const code = taste();
  expect(code).not.toMatch(/\.write\(|\.read\(/); // no name syncing
  // Bundled with the workspace sources (this package as @gradfold/train), run by plain node; it prints what it made.
  const print =
    "\nconsole.log(JSON.stringify({ epochs: history.epochs.map((e) => e.loss), status: history.status, loss, metrics, logits: Array.from(logits), bytes: bytes.length }));\n";
  const bundle = await build({
    stdin: { contents: code + print, loader: "ts", resolveDir: join(import.meta.dirname, "..") },
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    conditions: ["source"],
    alias: { "@gradfold/train": join(import.meta.dirname, "index.ts") },
    logLevel: "silent",
  });
  const dir = mkdtempSync(join(tmpdir(), "gradfold-taste-"));
  try {
    writeFileSync(join(dir, "taste.mjs"), bundle.outputFiles[0].text);
    const out = JSON.parse(execFileSync(process.execPath, [join(dir, "taste.mjs")], { encoding: "utf8" }));
    expect(out.status).toBe("completed");
    expect(out.epochs).toHaveLength(40);
    expect(out.epochs[39]).toBeLessThan(out.epochs[0] / 2);
    expect(out.metrics.accuracy).toBeGreaterThan(0.9);
    expect(out.loss).toBeGreaterThan(0);
    expect(out.logits).toHaveLength(2);
    expect(out.bytes).toBeGreaterThan(4 * (2 * 16 + 16 + 16 * 2 + 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
