/** Every error the graph raises; the message says what was expected and what came. */
export class GraphError extends Error {
  override name = "GraphError";
}

const selfPath = ((): string => {
  const url = typeof import.meta.url === "string" ? import.meta.url : "";
  return url.startsWith("file://") ? decodeURIComponent(url.slice("file://".length)) : "";
})();

/** This package's own folder (src/ or dist/): frames from it are never the user's. */
const ownRoot = selfPath.replace(/[^\\/]*$/, "");

/**
 * The folder holding gradfold's packages (…/packages/ in the repo, …/@gradfold/ when
 * installed); frames from a sibling package's src/ or dist/ are gradfold's too.
 */
const packagesRoot = /^(.*)[\\/]graph[\\/](?:src|dist)[\\/]errors\.[cm]?[jt]s$/.exec(selfPath)?.[1] ?? null;

const testFile = /\.(test|spec)(-d)?\.[cm]?[jt]sx?\b/;

function isInternalFrame(line: string): boolean {
  if (/node:internal|node_modules[\\/](?!@gradfold)/.test(line)) return true;
  if (testFile.test(line)) return false;
  if (ownRoot !== "" && line.includes(ownRoot)) return true;
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
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  return userFrame(stack);
}

/** The first frame of a captured stack outside gradfold's own packages. */
export function userFrame(stack: string | undefined): string | undefined {
  const frame = stack
    ?.split("\n")
    .slice(1)
    .find((line) => !isInternalFrame(line));
  return frame?.trim().replace(/^at\s+/, "");
}

/** An error from building `op`, naming the operands' shapes and the user's call site. */
export function opError(op: string, problem: string, operands: string): GraphError {
  const site = userCallSite();
  return new GraphError(`${op}: ${problem}; operands ${operands}${site ? ` (at ${site})` : ""}`);
}
