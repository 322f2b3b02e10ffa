import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tmpfsUnavailable, withTmpfs } from "../../test/tmpfs.ts";
import { appendDurable, cleanStaleTemps, type FileLayer, FileWriteError, nodeFiles, tempPathOf, writeFileDurable } from "./durable-write.ts";

const folder = () => mkdtempSync(join(tmpdir(), "durable-"));
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 255);

/** node:fs, but each write writes at most `cap` bytes, and write number `failAt` (from 1) fails as a full disk does. */
function faultyFiles(options: { cap?: number; failAt?: number; code?: string }): FileLayer & { writes: number } {
  const layer = {
    ...nodeFiles,
    writes: 0,
    writeSync(fd: number, buffer: Uint8Array, offset: number, length: number) {
      layer.writes++;
      if (layer.writes === options.failAt) {
        throw Object.assign(new Error(`${options.code ?? "ENOSPC"}: no space left on device, write`), { code: options.code ?? "ENOSPC" });
      }
      return nodeFiles.writeSync(fd, buffer, offset, Math.min(length, options.cap ?? length));
    },
  };
  return layer;
}

describe("writeFileDurable", () => {
  it("writes every byte when the OS writes fewer than asked each time", () => {
    const dir = folder();
    const path = join(dir, "checkpoint.bin");
    const files = faultyFiles({ cap: 7 });
    writeFileDurable(path, bytes(100), files);
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes(100));
    expect(files.writes).toBe(15);
    expect(readdirSync(dir)).toEqual(["checkpoint.bin"]);
  });

  it("on ENOSPC at the n-th write keeps the previous file, removes the temporary one, and names the file and the OS error", () => {
    const dir = folder();
    const path = join(dir, "best.bin");
    writeFileSync(path, "the previous good file");
    let caught: unknown;
    try {
      writeFileDurable(path, bytes(100), faultyFiles({ cap: 10, failAt: 4 }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FileWriteError);
    expect((caught as Error).message).toBe(`cannot write ${path}: ENOSPC: no space left on device, write`);
    expect((caught as FileWriteError).osError.code).toBe("ENOSPC");
    expect(readFileSync(path, "utf8")).toBe("the previous good file");
    expect(readdirSync(dir)).toEqual(["best.bin"]);
  });

  it("fails rather than loops when a write makes no progress, and when the folder is missing names the path", () => {
    const dir = folder();
    const stuck: FileLayer = { ...nodeFiles, writeSync: () => 0 };
    expect(() => writeFileDurable(join(dir, "a.json"), "{}", stuck)).toThrow(/a\.json: write made no progress at byte 0 of 2/);
    expect(readdirSync(dir)).toEqual([]);
    expect(() => writeFileDurable(join(dir, "no", "a.json"), "{}")).toThrow(new RegExp(`cannot write ${join(dir, "no", "a.json")}: ENOENT`));
  });

  it("a failed rename keeps the previous file and removes the temporary one", () => {
    const dir = folder();
    const path = join(dir, "config.json");
    writeFileSync(path, "old");
    const noRename: FileLayer = {
      ...nodeFiles,
      renameSync: () => {
        throw Object.assign(new Error("EXDEV: cross-device link not permitted"), { code: "EXDEV" });
      },
    };
    expect(() => writeFileDurable(path, "new", noRename)).toThrow(/config\.json: EXDEV/);
    expect(readFileSync(path, "utf8")).toBe("old");
    expect(existsSync(tempPathOf(path))).toBe(false);
  });

  it("appendDurable names the file it could not append to", () => {
    const dir = folder();
    expect(() => appendDurable(join(dir, "gone", "steps.jsonl"), "{}\n")).toThrow(/cannot write .*gone\/steps\.jsonl: ENOENT/);
  });

  it("cleanStaleTemps removes a killed write's temporary files of known names only", () => {
    const dir = folder();
    for (const name of ["checkpoint.bin.tmp-123", "checkpoint.bin", "notes.txt.tmp-5"]) writeFileSync(join(dir, name), "x");
    cleanStaleTemps(dir, ["checkpoint.bin"]);
    expect(readdirSync(dir).sort()).toEqual(["checkpoint.bin", "notes.txt.tmp-5"]);
  });
});

describe.skipIf(tmpfsUnavailable !== null)(`on a full tmpfs${tmpfsUnavailable ? ` (skipped: ${tmpfsUnavailable})` : ""}`, () => {
  it("a write that does not fit fails naming the file and ENOSPC, and the previous file stays whole", async () => {
    await withTmpfs("64k", (disk) => {
      const path = join(disk, "checkpoint.bin");
      writeFileDurable(path, bytes(40_000));
      expect(() => writeFileDurable(path, bytes(60_000))).toThrow(new RegExp(`cannot write ${path}: ENOSPC`));
      expect(new Uint8Array(readFileSync(path))).toEqual(bytes(40_000));
      expect(readdirSync(disk)).toEqual(["checkpoint.bin"]);
    });
  });
});
