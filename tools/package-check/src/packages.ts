import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface PublishedPackage {
  name: string;
  dir: string;
  manifest: Record<string, unknown> & { name: string; version: string; exports?: unknown; files?: string[] };
}

/** Every non-private package under packages/: what `pnpm release` publishes. */
export function publishedPackages(): PublishedPackage[] {
  const base = join(repoRoot, "packages");
  return readdirSync(base)
    .map((entry) => join(base, entry))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) }))
    .filter(({ manifest }) => !manifest.private)
    .map(({ dir, manifest }) => ({ name: manifest.name, dir, manifest }));
}
