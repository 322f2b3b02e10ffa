import { build } from "esbuild";
import { join } from "node:path";
import type { PublishedPackage } from "./packages.ts";

/** Minified ESM browser bundle of a package's entry (its workspace deps included); throws if it needs Node. */
export async function browserBundle(pkg: PublishedPackage): Promise<{ bytes: number; text: string }> {
  const result = await build({
    entryPoints: [join(pkg.dir, "src/index.ts")],
    bundle: true,
    platform: "browser",
    format: "esm",
    minify: true,
    write: false,
    conditions: ["source"],
    logLevel: "silent",
  });
  const text = result.outputFiles[0].text;
  return { bytes: Buffer.byteLength(text), text };
}
