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
process.on("SIGINT", () => child.kill("SIGINT"));
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
