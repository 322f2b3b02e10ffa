import * as fs from "node:fs";
import { dirname, join } from "node:path";

/**
 * The few synchronous file calls a durable write makes. Tests pass a layer that
 * writes short or fails on the n-th write; the trainer passes node:fs.
 */
export interface FileLayer {
  openSync(path: string, flags: string, mode?: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  appendFileSync(path: string, text: string): void;
}

export const nodeFiles: FileLayer = {
  openSync: (path, flags, mode) => fs.openSync(path, flags, mode),
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (from, to) => fs.renameSync(from, to),
  unlinkSync: (path) => fs.unlinkSync(path),
  appendFileSync: (path, text) => fs.appendFileSync(path, text),
};

/** A file the trainer could not write: names the file and the OS error (ENOSPC, EACCES, ...). */
export class FileWriteError extends Error {
  override name = "FileWriteError";
  constructor(
    readonly path: string,
    readonly osError: Error & { code?: string },
  ) {
    super(`cannot write ${path}: ${osError.message}`);
  }
}

/** The temporary name a write goes to before it replaces `path`; `cleanStaleTemps` knows the pattern. */
export const tempPathOf = (path: string) => `${path}.tmp-${process.pid}`;
const tempPattern = /\.tmp-\d+$/;

/**
 * Replaces `path` with `bytes` so that a crash, a full disk or a killed process leaves
 * either the previous file or the new one, never part of one: the bytes go to a
 * temporary file in the same folder (every byte: `write` may write fewer than asked),
 * which is flushed, then renamed over `path`, then the folder is flushed so the
 * rename itself survives a power cut. On any error the temporary file is removed,
 * the previous `path` is left as it was, and a FileWriteError names `path`.
 */
export function writeFileDurable(path: string, bytes: Uint8Array | string, files: FileLayer = nodeFiles, mode = 0o644): void {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const temp = tempPathOf(path);
  let fd: number | null = null;
  try {
    fd = files.openSync(temp, "w", mode);
    for (let offset = 0; offset < data.length; ) {
      const written = files.writeSync(fd, data, offset, data.length - offset);
      // A write that makes no progress would loop forever; the OS reports why on the next call.
      if (!(written > 0)) throw Object.assign(new Error(`write made no progress at byte ${offset} of ${data.length}`), { code: "EIO" });
      offset += written;
    }
    files.fsyncSync(fd);
    const closing = fd;
    fd = null;
    files.closeSync(closing);
    files.renameSync(temp, path);
  } catch (err) {
    if (fd !== null) ignoreErrors(() => files.closeSync(fd as number));
    ignoreErrors(() => files.unlinkSync(temp));
    throw new FileWriteError(path, err as Error);
  }
  syncFolder(dirname(path), files);
}

/** Appends text (a line of metrics or losses) so it is on disk as training goes; errors name `path`. */
export function appendDurable(path: string, text: string, files: FileLayer = nodeFiles): void {
  try {
    files.appendFileSync(path, text);
  } catch (err) {
    throw new FileWriteError(path, err as Error);
  }
}

/** Flushes a folder's entries (a rename is only durable once its folder is); not every OS or file system allows it. */
function syncFolder(dir: string, files: FileLayer): void {
  let fd: number | null = null;
  try {
    fd = files.openSync(dir, "r");
    files.fsyncSync(fd);
  } catch {
    // Windows cannot open a folder, and some file systems refuse fsync on one: the rename is still atomic.
  } finally {
    if (fd !== null) ignoreErrors(() => files.closeSync(fd as number));
  }
}

/** Removes temporary files left by a process killed in the middle of a write (they are never the real file). */
export function cleanStaleTemps(dir: string, names: readonly string[]): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return;
  }
  const wanted = new Set(names);
  for (const entry of entries) {
    if (tempPattern.test(entry) && wanted.has(entry.replace(tempPattern, ""))) ignoreErrors(() => fs.unlinkSync(join(dir, entry)));
  }
}

function ignoreErrors(f: () => void): void {
  try {
    f();
  } catch {
    // Cleaning up after a failure must not hide the failure.
  }
}
