import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Writes files into a fresh folder under the OS temp dir (outside the repository),
 * runs `node [flags] main` there with plain node, and returns its stdout.
 */
export function runInTempFolder(files: Record<string, string | Uint8Array>, main: string, flags: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), "gradfold-codegen-"));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return execFileSync(process.execPath, [...flags, join(dir, main)], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const packageDir = new URL("../../", import.meta.url);

/** Timeout for a test that starts several node processes (each loads tsx and the sources; slow on a loaded machine). */
export const CHILD_PROCESSES_MS = 120_000;

/**
 * Runs a TypeScript script in a fresh node process (with `flags`), through tsx with
 * the workspace packages' sources; `src(path)` gives an import specifier for a file
 * of this package's src. Returns its stdout.
 */
export function runTsScript(script: (src: (path: string) => string) => string, flags: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), "gradfold-codegen-"));
  try {
    const file = join(dir, "main.mts");
    writeFileSync(
      file,
      script((path) => JSON.stringify(new URL(`src/${path}`, packageDir).href)),
    );
    return execFileSync(process.execPath, [...flags, "--conditions=source", "--import", "tsx", file], {
      cwd: packageDir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 2 ** 20,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A headless Chromium on this machine, if any (the browser tests skip without one). */
export const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((path) => existsSync(path)) ?? null;

/**
 * Runs `main` (the body of an async module function, which may `await load()` to import
 * `module` as an ES module and `return` a JSON-able value) in a page of headless Chromium;
 * returns what it returned, or throws with what it threw.
 */
export function runInChromium(module: string, main: string): unknown {
  if (chromium === null) throw new Error("runInChromium: no Chromium found");
  const dir = mkdtempSync(join(tmpdir(), "gradfold-codegen-"));
  try {
    const page = `<!doctype html><html><body><pre id="out">pending</pre>
<script type="module">
const load = () => import(URL.createObjectURL(new Blob([${JSON.stringify(module).replace(/</g, "\\u003c")}], { type: "text/javascript" })));
const out = document.getElementById("out");
(async () => { ${main.replace(/</g, "\\u003c")} })().then(
  (value) => { out.textContent = JSON.stringify({ value }); },
  (error) => { out.textContent = JSON.stringify({ error: String(error && error.message || error) }); });
</script></body></html>`;
    writeFileSync(join(dir, "index.html"), page);
    const dom = execFileSync(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=30000", "--dump-dom", `file://${join(dir, "index.html")}`], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 * 2 ** 20,
    });
    const text = /<pre id="out">([^<]*)<\/pre>/.exec(dom)?.[1] ?? "";
    if (!text.startsWith("{")) throw new Error(`runInChromium: the page did not finish (${text.slice(0, 80) || "no output"})`);
    const result = JSON.parse(
      text
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&amp;/g, "&"),
    );
    if ("error" in result) throw new Error(`in Chromium: ${result.error}`);
    return result.value;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
