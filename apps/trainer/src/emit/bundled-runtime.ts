import { buildSync } from "esbuild";
import { fileURLToPath } from "node:url";

/**
 * The real modules the standalone trainer's runtime draws its randomness from, bundled
 * into plain JavaScript when a trainer is emitted, so the emitted run splits, shuffles
 * and drops out exactly as the in-process run does with no hand copy to keep in step:
 * the trainer's sfc32 Rng (split), @gradfold/train's shuffledOrder (batch order) and
 * @gradfold/nn's dropoutMask (masks).
 */
const entry = `export { Rng } from "./rng.ts";
export { shuffledOrder } from "@gradfold/train";
export { dropoutMask } from "@gradfold/nn";
`;

/** The name the bundle's exports are bound to in the emitted module. */
const globalName = "gradfoldRuntime";

let cached: string | undefined;

/**
 * The bundle as a script that declares `Rng`, `shuffledOrder` and `dropoutMask`. Wrapped in an
 * IIFE so the bundle's own top-level names cannot collide with the runtime's. The same text
 * every time for the same sources (no minifying, no absolute paths), so emitted trainers diff cleanly.
 */
export function bundledRuntime(): string {
  if (cached !== undefined) return cached;
  const result = buildSync({
    stdin: { contents: entry, resolveDir: fileURLToPath(new URL("..", import.meta.url)), sourcefile: "runtime-entry.ts", loader: "ts" },
    bundle: true,
    write: false,
    format: "iife",
    globalName,
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["source"],
    target: "node20",
    minify: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const text = result.outputFiles[0]?.text;
  if (text === undefined) throw new Error("emit: bundling the trainer's runtime produced no output");
  cached = `${text}const { Rng, shuffledOrder, dropoutMask } = ${globalName};\n`;
  return cached;
}
