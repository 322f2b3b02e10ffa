import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

export class RunFolderBusyError extends Error {
  override name = "RunFolderBusyError";
}

const lockName = "run.lock";

/** True while a process with this pid exists on this machine (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, "utf8")) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.host === "string" ? owner : null;
  } catch {
    return null;
  }
}

/**
 * The lock of a run folder, held for the run's lifetime: `run.lock` holds the pid,
 * host and start time of the trainer that owns the folder. Created with O_EXCL, so of
 * two trainers started on one folder exactly one gets it; the other fails at once. A
 * lock whose pid is gone on this host (a killed trainer) is stale and replaced.
 */
export class RunLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    readonly path: string,
    /** The stale owner this lock replaced, if any (for a notice). */
    readonly replaced: LockOwner | null,
  ) {
    process.on("exit", this.onExit);
  }

  static acquire(dir: string, self: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }): RunLock {
    const path = join(dir, lockName);
    let replaced: LockOwner | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, "wx");
        try {
          writeSync(fd, `${JSON.stringify(self)}\n`);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        return new RunLock(path, replaced);
      } catch (err) {
        if ((err as { code?: string }).code !== "EEXIST") throw new Error(`cannot create the lock file ${path}: ${(err as Error).message}`);
      }
      const owner = readOwner(path);
      if (owner && (owner.host !== self.host || processAlive(owner.pid))) {
        const where = owner.host === self.host ? `pid ${owner.pid}` : `pid ${owner.pid} on host ${owner.host}`;
        throw new RunFolderBusyError(
          `the run folder ${dir} is in use by another gradfold-train (${where}, started ${owner.startedAt}); ` +
            `wait for it to finish or choose another --out${owner.host === self.host ? "" : ` (if that run is gone, delete ${path})`}`,
        );
      }
      // Stale: its process is gone (or the file is unreadable, as a write cut short leaves it).
      // Moved aside by rename, which only one of two racing trainers can do.
      replaced = owner;
      try {
        renameSync(path, `${path}.stale-${process.pid}`);
        unlinkSync(`${path}.stale-${process.pid}`);
      } catch {
        // Another trainer moved it first; try again to create ours.
      }
    }
    throw new RunFolderBusyError(`the run folder ${dir} is being taken by another gradfold-train at this moment; choose another --out`);
  }

  /** Removes the lock if it is still ours. Safe to call twice; also runs when the process exits. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off("exit", this.onExit);
    if (readOwner(this.path)?.pid === process.pid) {
      try {
        unlinkSync(this.path);
      } catch {
        // Already gone.
      }
    }
  }
}
