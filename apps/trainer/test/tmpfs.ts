import { execFileSync } from "node:child_process";
import { mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Why a real small disk (a tmpfs) cannot be mounted here, or null when it can: mounting
 * needs root and a kernel that lets this container mount. Tests skip with this reason.
 */
export const tmpfsUnavailable: string | null = (() => {
  if (process.getuid?.() !== 0) return "not running as root: mounting a tmpfs needs root";
  const probe = mkdtempSync(join(tmpdir(), "tmpfs-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", probe], { stdio: "pipe" });
    execFileSync("umount", [probe], { stdio: "pipe" });
    return null;
  } catch (err) {
    return `mount -t tmpfs failed here: ${(err as Error).message.split("\n")[0]}`;
  } finally {
    rmdirSync(probe);
  }
})();

/** Runs `body` with an empty tmpfs of `size` (as mount takes it: "64k"; "16k,ro" for a read-only one) mounted on a new folder; unmounts after. */
export async function withTmpfs<T>(size: string, body: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "tmpfs-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  try {
    return await body(dir);
  } finally {
    execFileSync("umount", [dir]);
    rmdirSync(dir);
  }
}
