import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
    writeFileSync(file, script((path) => JSON.stringify(new URL(`src/${path}`, packageDir).href)));
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
