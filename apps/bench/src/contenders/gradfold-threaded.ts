import { compileThreaded } from "@gradfold/codegen/threads";
import type { Contender, Trainer } from "../contender.ts";
import { buildStep } from "../gradfold-step.ts";
import type { Problem } from "../problem.ts";

/**
 * gradfold with its large Wasm matmuls split across `threads` threads over a shared
 * arena (compileThreaded from `@gradfold/codegen/threads`: worker_threads in Node, Web
 * Workers in a browser, chosen by export conditions). Results are bit-identical to compile()'s;
 * the peers all run on one thread, so this column is reported beside, not instead of,
 * single-threaded gradfold.
 */
export function gradfoldThreadedContender(threads = 2, minFlops?: number): Contender {
  const id = `gradfold-${threads}t`;
  return {
    id,
    label: id,
    async prepare(problem: Problem): Promise<Trainer> {
      const step = buildStep(problem);
      const compiled = await compileThreaded({ inputs: [step.x, step.labels], outputs: { loss: step.loss }, updates: step.updates, sizes: step.sizes }, { threads, minFlops });
      const feeds = { x: problem.x, labels: problem.labels };
      return {
        step: () => compiled.run(feeds).loss[0],
        notes: () => [],
        dispose: () => compiled.close(),
      };
    },
  };
}
