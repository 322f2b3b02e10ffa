import { compileThreaded } from "@gradfold/codegen/threads";
import type { Contender, Trainer } from "../contender.ts";
import { stepSpec } from "../gradfold-step.ts";
import type { Problem } from "../problem.ts";

/**
 * gradfold as its users run it by default: the step across `threads` threads over a
 * shared arena (compileThreaded from `@gradfold/codegen/threads`: worker_threads in
 * Node, Web Workers in a browser, chosen by export conditions) — large matmuls and the
 * loops (elementwise, updates, column sums, softmax) split, each and the whole step
 * chosen by measurement. Results are bit-identical to compile()'s (gradfold-1t). `id`
 * "gradfold" is this with every core.
 */
export function gradfoldThreadedContender(threads: number, id = `gradfold-${threads}t`, minFlops?: number): Contender {
  return {
    id,
    label: id,
    // Untimed steps before timing: the whole-step choice settles after ~18 and each
    // kernel's after a few more (compile-threaded.ts, adaptive-choice.ts).
    warmup: 30,
    async prepare(problem: Problem): Promise<Trainer> {
      const compiled = await compileThreaded(stepSpec(problem), { threads, minFlops });
      const feeds = { x: problem.x, labels: problem.labels };
      return {
        step: () => compiled.run(feeds).loss[0],
        notes: () => {
          const loops = compiled.splitLoops.length;
          const chunks = compiled.workerChunks().reduce((x, y) => x + y, 0);
          return [
            `${id}: ${compiled.splitKernels.length - loops} matmuls and ${loops} loops split; ${chunks} chunks run by workers; ` +
              `the whole step ${compiled.usingThreads() ? "on threads" : "on one thread"} at the end (adaptive choice)`,
          ];
        },
        dispose: () => compiled.close(),
      };
    },
  };
}
