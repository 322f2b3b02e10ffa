import { describe, expect, it } from "vitest";
import { runStep, type Contender } from "../contender.ts";
import { gradfoldThreadedContender } from "../contenders/gradfold-threaded.ts";
import { gradfoldContender } from "../contenders/gradfold.ts";
import { tfjsWasmDir } from "../contenders/index.ts";
import { jaxContender } from "../contenders/jax.ts";
import { referenceContender } from "../contenders/reference.ts";
import { tfjsContender } from "../contenders/tfjs.ts";
import { makeProblem, type BenchConfig, type Problem } from "../problem.ts";

async function lossesOf(contender: Contender, problem: Problem, steps: number): Promise<number[]> {
  const trainer = await contender.prepare(problem);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push(await runStep(trainer));
  await trainer.dispose();
  return losses;
}

/**
 * Every contender trains `config` (SGD and Adam) from the same init and data; its losses
 * over the first `steps` steps (which depend on the updates of the steps before) must
 * match the float64 reference interpreter running gradfold's step graph.
 */
export function describeAgreementWithReference(title: string, config: (optimizer: "sgd" | "adam") => BenchConfig, seed: number, steps: number): void {
  describe.each(["sgd", "adam"] as const)(`contenders on ${title}, %s`, (optimizer) => {
    const problem = makeProblem(config(optimizer), seed);
    let reference: number[];

    it("the reference loss starts near log(classes) and goes down", async () => {
      reference = await lossesOf(referenceContender, problem, steps);
      expect(reference[0]).toBeGreaterThan(0.2);
      expect(reference[0]).toBeLessThan(5);
      expect(reference[steps - 1]).toBeLessThan(reference[0]);
    });

    it.each([
      ["gradfold (compile, js backend)", gradfoldContender("js")],
      ["gradfold (compile, auto backend)", gradfoldContender()],
      ["gradfold (compileThreaded, 2 threads)", gradfoldThreadedContender(2)],
      ["jax-js", jaxContender],
      ["tfjs-wasm", tfjsContender("wasm", tfjsWasmDir())],
      ["tfjs-cpu", tfjsContender("cpu", tfjsWasmDir())],
    ])("%s matches the float64 reference", async (_, contender) => {
      const losses = await lossesOf(contender, problem, steps);
      for (let i = 0; i < steps; i++) expect(losses[i]).toBeCloseTo(reference[i], 4);
    });
  });
}
