#!/usr/bin/env node
// gradfold-train: runs src/cli.ts with tsx, resolving workspace packages to their
// TypeScript sources (the "source" export condition), so no build step is needed.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "cli.ts");
const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", cli, ...process.argv.slice(2)], {
  stdio: "inherit",
  cwd: join(dirname(fileURLToPath(import.meta.url)), ".."),
  env: { ...process.env, INIT_CWD: process.env.INIT_CWD ?? process.cwd() },
  // Its own process group: a terminal's Ctrl-C reaches only us, and we pass it on exactly once
  // (the trainer saves a checkpoint on the first SIGINT and quits at once on a second).
  detached: true,
});

// Under `pnpm train` one Ctrl-C arrives twice: from the terminal and relayed by pnpm a moment
// later. Signals that close together are one keypress; a second Ctrl-C by hand comes later.
const sameKeypressMs = 250;
let lastSignalAt = Number.NEGATIVE_INFINITY;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    const now = performance.now();
    if (now - lastSignalAt > sameKeypressMs) child.kill(signal);
    lastSignalAt = now;
  });
}

// A package manager's script runner (`pnpm train`) prints a failure banner for any non-zero
// exit; after Ctrl-C the trainer has saved a checkpoint and said so, which is not a failure.
const underScriptRunner = process.env.npm_lifecycle_event !== undefined;
child.on("exit", (code, signal) => {
  const status = code ?? (signal === "SIGINT" ? 130 : 1);
  process.exit(status === 130 && underScriptRunner ? 0 : status);
});
