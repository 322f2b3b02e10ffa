import { argv } from "node:process";
import { pathToFileURL } from "node:url";

/** True when the module at `url` is the script node was started with. */
export function isMain(url: string): boolean {
  return argv[1] !== undefined && url === pathToFileURL(argv[1]).href;
}

/** A small seeded PRNG for reproducible example data (mulberry32, from @gradfold/graph). */
export { mulberry32 as seededRandom } from "@gradfold/graph";
