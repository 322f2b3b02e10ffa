import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

export const appDir = join(import.meta.dirname, "..");

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would (tsx, workspace sources); `onOutput` may signal it. */
export function cli(args: readonly string[], onOutput?: (text: string, child: ChildProcess) => void, cwd = appDir): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", join(appDir, "src", "cli.ts"), ...args], { cwd: appDir, env: { ...process.env, INIT_CWD: cwd } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      onOutput?.(stdout, child);
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
