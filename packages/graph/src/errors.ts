/** Every error the graph raises; the message says what was expected and what came. */
export class GraphError extends Error {
  override name = "GraphError";
}

/**
 * The folder holding gradfold's packages (…/packages/ in the repo, …/@gradfold/ when
 * installed), from this file's own URL; frames under it are gradfold's, not the user's.
 */
const packagesRoot = ((): string | null => {
  const url = typeof import.meta.url === "string" ? import.meta.url : "";
  const match = /^file:\/\/(.*)[\\/]graph[\\/](?:src|dist)[\\/]errors\.[cm]?[jt]s$/.exec(url);
  return match ? decodeURIComponent(match[1]) : null;
})();

const testFile = /\.(test|spec)(-d)?\.[cm]?[jt]sx?\b/;

function isInternalFrame(line: string): boolean {
  if (/node:internal|node_modules[\\/](?!@gradfold)/.test(line)) return true;
  if (testFile.test(line)) return false;
  if (packagesRoot !== null) {
    const at = line.indexOf(packagesRoot);
    return at >= 0 && /^[\\/][a-z0-9-]+[\\/](src|dist)[\\/]/.test(line.slice(at + packagesRoot.length));
  }
  // Without our own location (bundled code), fall back to the layout's names.
  return /[\\/](packages|@gradfold)[\\/][a-z0-9-]+[\\/](src|dist)[\\/]/.test(line);
}

/** The first stack frame outside gradfold's own packages: where the user built the op. */
export function userCallSite(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack?.split("\n").slice(1) ?? [];
  Error.stackTraceLimit = limit;
  const frame = stack.find((line) => !isInternalFrame(line));
  return frame?.trim().replace(/^at\s+/, "");
}

/** An error from building `op`, naming the operands' shapes and the user's call site. */
export function opError(op: string, problem: string, operands: string): GraphError {
  const site = userCallSite();
  return new GraphError(`${op}: ${problem}; operands ${operands}${site ? ` (at ${site})` : ""}`);
}
