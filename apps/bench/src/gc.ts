import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | undefined;

/**
 * A full garbage collection on demand, without starting Node with --expose-gc:
 * the flag is set at run time and `gc` taken from a fresh context. Used between
 * interleaved steps so one contender's garbage is not collected on another's clock.
 */
export function fullGc(): void {
  if (!collect) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collect();
}
