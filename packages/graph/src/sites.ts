import { userFrame } from "./errors.ts";
import type { AnyTensor } from "./tensor.ts";

/**
 * Where the user built each node, for errors raised long after construction (a
 * compiled step's `checkNumerics`). The stack is captured when the node is made (a
 * few µs: frames are collected, not formatted) and formatted only when asked for.
 * Nodes that gradfold builds on the user's behalf — gradients, rewrites — are made
 * inside `withoutSites` and have none: there is no user line to show for them.
 */
const sites = new WeakMap<AnyTensor, Error>();
let suppressed = 0;

/** Enough frames to get out of gradfold's own (method → op function → apply). */
const FRAMES = 12;

export function recordSite(node: AnyTensor): void {
  if (suppressed > 0) return;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = FRAMES;
  sites.set(node, new Error());
  Error.stackTraceLimit = limit;
}

/** Runs `build` without recording call sites for the nodes it makes. */
export function withoutSites<T>(build: () => T): T {
  suppressed++;
  try {
    return build();
  } finally {
    suppressed--;
  }
}

/** `file:line:column` (with the function, as the stack shows it) of the user's code that built `node`, if known. */
export function callSiteOf(node: AnyTensor): string | undefined {
  return userFrame(sites.get(node)?.stack);
}

/**
 * `to` stands for `from` (rebuilt on rewritten operands, or what a rewrite rule turned
 * it into): it takes `from`'s call site unless it has one of its own.
 */
export function inheritSite(to: AnyTensor, from: AnyTensor): void {
  const site = sites.get(from);
  if (site !== undefined && to !== from && !sites.has(to)) sites.set(to, site);
}
