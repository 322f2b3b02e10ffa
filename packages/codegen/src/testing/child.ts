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
