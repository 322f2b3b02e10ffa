import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { expect } from "vitest";

export const appDir = join(import.meta.dirname, "..");

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node ...args` and collects its output; `onOutput` sees stdout so far and may signal the child. */
export function runNode(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; onOutput?: (text: string, child: ChildProcess) => void }): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      options.onOutput?.(stdout, child);
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs the CLI as a user would (tsx, workspace sources); `onOutput` may signal it. */
export function cli(args: readonly string[], onOutput?: (text: string, child: ChildProcess) => void, cwd = appDir): Promise<Finished> {
  return runNode(["--import", "tsx", "--conditions=source", join(appDir, "src", "cli.ts"), ...args], { cwd: appDir, env: { ...process.env, INIT_CWD: cwd }, onOutput });
}

/** Runs the CLI and expects it to finish cleanly: exit 0, nothing on stderr. */
export async function cliOk(args: readonly string[]): Promise<Finished> {
  const run = await cli(args);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return run;
}
