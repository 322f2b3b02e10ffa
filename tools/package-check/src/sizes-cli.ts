/** Prints the README's table of packed and minified browser bundle sizes. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { browserBundle } from "./bundle.ts";
import { packInto } from "./pack.ts";
import { publishedPackages } from "./packages.ts";

const dest = mkdtempSync(join(tmpdir(), "gradfold-sizes-"));
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
console.log("| package | packed tarball | minified browser bundle (with its @gradfold deps) |");
console.log("|---|---|---|");
for (const pkg of publishedPackages()) {
  const packed = packInto(pkg, dest);
  const bundle = await browserBundle(pkg);
  console.log(`| ${pkg.name} | ${kb(packed.bytes)} | ${kb(bundle.bytes)} |`);
}
rmSync(dest, { recursive: true, force: true });
