import { type FileLayer, nodeFiles } from "./durable-write.ts";

/**
 * node:fs with every write cut to `chunk` bytes and delayed by `ms`: a test hook
 * (the hidden --debug-slow-writes flag) that keeps a checkpoint write in progress long
 * enough for a test to kill the trainer in the middle of it.
 */
export function slowFiles(ms: number, chunk = 256): FileLayer {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  return {
    ...nodeFiles,
    writeSync(fd, buffer, offset, length) {
      Atomics.wait(sleeper, 0, 0, ms);
      return nodeFiles.writeSync(fd, buffer, offset, Math.min(length, chunk));
    },
  };
}
