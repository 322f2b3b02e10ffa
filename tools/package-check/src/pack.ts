import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { PublishedPackage } from "./packages.ts";

/** `pnpm pack` into `dest` (workspace: ranges become versions); returns the tarball's path and size. */
export function packInto(pkg: PublishedPackage, dest: string): { tarball: string; bytes: number } {
  const before = new Set(readdirSync(dest));
  execFileSync("npx", ["-y", "pnpm@10.34.8", "pack", "--pack-destination", dest], { cwd: pkg.dir, stdio: "pipe" });
  const made = readdirSync(dest).find((f) => !before.has(f) && f.endsWith(".tgz"));
  if (!made) throw new Error(`pnpm pack made no tarball for ${pkg.name}`);
  const tarball = join(dest, made);
  return { tarball, bytes: statSync(tarball).size };
}
