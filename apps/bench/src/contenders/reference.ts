import { evaluate, type Feeds } from "@gradfold/graph";
import type { Contender, Trainer } from "../contender.ts";
import { buildStep } from "../gradfold-step.ts";
import type { Problem } from "../problem.ts";

/**
 * gradfold's float64 reference interpreter running the same step graph: the oracle
 * the tests compare every contender with. Far too slow to benchmark; never in the table.
 */
export const referenceContender: Contender = {
  id: "reference",
  label: "reference (float64)",
  async prepare(problem: Problem): Promise<Trainer> {
    const step = buildStep(problem);
    const state = new Map<string, ArrayLike<number>>();
    const nameOf = (t: (typeof step.updates)[number][0]) => (t.params as { name: string }).name;
    return {
      step() {
        const feeds: Record<string, ArrayLike<number>> = { x: problem.x, labels: problem.labels, ...Object.fromEntries(state) };
        const [loss, ...values] = evaluate([step.loss, ...step.updates.map(([, v]) => v)], feeds as Feeds, step.sizes);
        step.updates.forEach(([target], i) => {
          state.set(nameOf(target), values[i]);
        });
        return loss[0];
      },
      notes: () => [],
      dispose() {
        state.clear();
      },
    };
  },
};
