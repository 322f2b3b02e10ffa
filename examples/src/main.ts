import { argv } from "node:process";
import { pathToFileURL } from "node:url";

/** True when the module at `url` is the script node was started with. */
export function isMain(url: string): boolean {
  return argv[1] !== undefined && url === pathToFileURL(argv[1]).href;
}

/** A small seeded PRNG (mulberry32) for reproducible example data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
