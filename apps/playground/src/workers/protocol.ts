/** What every worker posts back besides its own progress messages. */
export type WorkerError = { readonly type: "error"; readonly message: string };

/**
 * Requests that start a run carry a `run` number, and every reply of that run echoes
 * it, so a view can drop replies of a run it has already replaced.
 */
export const stamp = <T extends object>(run: number | undefined, reply: T): T & { run?: number } => (run === undefined ? reply : { ...reply, run });

export const errorMessage = (error: unknown): WorkerError => ({ type: "error", message: error instanceof Error ? error.message : String(error) });

/** Lets queued messages (stop, new settings) in between chunks of training. */
export const yieldToMessages = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * One training run at a time: `begin()` makes a token that stays current until the
 * next `begin()` or `stop()`, so a loop checks `token.live` between chunks.
 */
export function runs() {
  let current = 0;
  return {
    begin() {
      const id = ++current;
      return {
        get live() {
          return id === current;
        },
      };
    },
    stop() {
      current++;
    },
  };
}

/** Copies named params (weights) from one compiled step to another. */
export function copyParams(from: { read(name: string): Float32Array }, to: { write(name: string, data: Float32Array): void }, names: readonly string[]): void {
  for (const name of names) to.write(name, from.read(name));
}
