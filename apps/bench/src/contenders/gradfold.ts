import { compile, type Backend } from "@gradfold/codegen";
import type { Contender, Trainer } from "../contender.ts";
import { stepSpec } from "../gradfold-step.ts";
import type { Problem } from "../problem.ts";

/**
 * gradfold on one thread (gradfold-1t): the step graph built with @gradfold/graph,
 * compiled by @gradfold/codegen's compile() (which runs @gradfold/optimize), then run
 * with the same feeds every step. `prepare` is build + grad + compile, reported apart.
 */
export function gradfoldContender(backend?: Backend): Contender {
  const id = backend === undefined ? "gradfold-1t" : `gradfold-${backend}`;
  return {
    id,
    label: id,
    async prepare(problem: Problem): Promise<Trainer> {
      const compiled = compile(stepSpec(problem), backend === undefined ? {} : { backend });
      const feeds = { x: problem.x, labels: problem.labels };
      return {
        step: () => compiled.run(feeds).loss[0],
        notes: () => {
          const { groups, kernels, arenaBytes } = compiled.stats;
          return [`${id}: ${groups} fused groups in ${kernels} kernels, arena ${(arenaBytes / 2 ** 20).toFixed(1)} MiB`];
        },
        dispose() {},
      };
    },
  };
}
