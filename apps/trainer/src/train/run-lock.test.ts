import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { processAlive, RunFolderBusyError, RunLock } from "./run-lock.ts";

const folder = () => mkdtempSync(join(tmpdir(), "lock-"));
const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid as number;

describe("RunLock", () => {
  it("holds pid, host and start time; a second taker fails at once naming the owner; release frees the folder", () => {
    const dir = folder();
    const lock = RunLock.acquire(dir);
    const owner = JSON.parse(readFileSync(join(dir, "run.lock"), "utf8"));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Number.isNaN(Date.parse(owner.startedAt))).toBe(false);
    expect(() => RunLock.acquire(dir)).toThrow(RunFolderBusyError);
    expect(() => RunLock.acquire(dir)).toThrow(`the run folder ${dir} is in use by another gradfold-train (pid ${process.pid}, started ${owner.startedAt})`);
    lock.release();
    lock.release();
    expect(existsSync(join(dir, "run.lock"))).toBe(false);
    RunLock.acquire(dir).release();
  });

  it("replaces a stale lock (dead pid on this host, or an unreadable file) and reports what it replaced", () => {
    const dir = folder();
    const ghost = deadPid();
    expect(processAlive(ghost)).toBe(false);
    writeFileSync(join(dir, "run.lock"), JSON.stringify({ pid: ghost, host: hostname(), startedAt: "then" }));
    const lock = RunLock.acquire(dir);
    expect(lock.replaced?.pid).toBe(ghost);
    expect(JSON.parse(readFileSync(join(dir, "run.lock"), "utf8")).pid).toBe(process.pid);
    lock.release();
    writeFileSync(join(dir, "run.lock"), "");
    const again = RunLock.acquire(dir);
    expect(again.replaced).toBeNull();
    again.release();
  });

  it("does not take a lock held on another host (its pid cannot be checked from here)", () => {
    const dir = folder();
    writeFileSync(join(dir, "run.lock"), JSON.stringify({ pid: deadPid(), host: "elsewhere", startedAt: "then" }));
    expect(() => RunLock.acquire(dir)).toThrow(/on host elsewhere.*delete .*run\.lock/);
  });

  it("names the lock file when it cannot be created", () => {
    expect(() => RunLock.acquire(join(folder(), "missing"))).toThrow(/cannot create the lock file .*missing\/run\.lock: ENOENT/);
  });
});
