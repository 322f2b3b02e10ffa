/** Every error the graph raises; the message says what was expected and what came. */
export class GraphError extends Error {
  override name = "GraphError";
}

function isInternalFrame(line: string): boolean {
  if (/node:internal|node_modules[\\/](?!@gradfold)/.test(line)) return true;
  const inGradfold = /[\\/](packages|@gradfold)[\\/][a-z-]+[\\/](src|dist)[\\/]/.test(line);
  return inGradfold && !/\.test(-d)?\.ts/.test(line);
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
